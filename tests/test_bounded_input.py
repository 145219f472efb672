"""Bounded input (issue 13): a zip bomb, a lying zip and an oversized cell are refused quickly, exit 2."""

from __future__ import annotations

import resource
import struct
import time
import zipfile
from pathlib import Path

import pytest

from flowparty import bounds
from flowparty.errors import BadInput
from tests.ids import make_id

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                 'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                 '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _workbook(path: Path, rows: list[str], repeat_rows: int = 0) -> Path:
    """A minimal inline-string .xlsx; repeat_rows writes that many copies of one row, streamed (a zip bomb)."""
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head.encode())
            for r, row in enumerate(rows, 1):
                sheet.write(f'<row r="{r}">{row}</row>'.encode())
            if repeat_rows:
                block = ("<row>" + _cell("A2", "张三") + _cell("B2", make_id()) + "</row>").encode() * 10_000
                for _ in range(repeat_rows // 10_000):
                    sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _header() -> str:
    return _cell("A1", "姓名") + _cell("B1", "身份证号")


def test_a_zip_bomb_is_refused_quickly_in_bounded_memory(cli, ledger, tmp_path, unchanged):
    bomb = _workbook(tmp_path / "bomb.xlsx", [_header()], repeat_rows=1_000_000)  # ~100 MB of XML
    assert bomb.stat().st_size < 2 << 20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with unchanged():
        result = cli("import", "members", bomb)
    assert time.monotonic() - started < 3
    assert result.exit_code == 2 and "压缩比异常" in result.stderr, result.stderr
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 200_000  # KiB: far below the XML


def test_a_file_past_the_total_limit_is_refused_before_reading(tmp_path, monkeypatch):
    book = _workbook(tmp_path / "big.xlsx", [_header()], repeat_rows=20_000)
    monkeypatch.setattr(bounds, "MAX_TOTAL_BYTES", 1 << 20)
    with pytest.raises(BadInput) as refused:
        bounds.check_input(book)
    assert "超过上限" in refused.value.message and refused.value.code == 2


def test_a_zip_whose_sizes_lie_is_refused(tmp_path):
    book = _workbook(tmp_path / "liar.xlsx", [_header(), _cell("A2", "张三") + _cell("B2", make_id())],
                     repeat_rows=20_000)
    data = bytearray(book.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # the central directory's uncompressed size of the sheet: claim 1,000 bytes
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    size_at = central + 24
    declared = struct.unpack_from("<I", data, size_at)[0]
    if declared == 0xFFFFFFFF:
        pytest.skip("zip64 sizes")
    struct.pack_into("<I", data, size_at, 1000)
    book.write_bytes(bytes(data))
    with pytest.raises(BadInput) as refused:
        bounds.check_input(book)
    assert refused.value.code == 2


def test_a_cell_past_excels_limit_is_refused_not_cut(cli, ledger, tmp_path, unchanged):
    long_name = "张" * 40_000
    book = _workbook(tmp_path / "long.xlsx", [_header(), _cell("A2", long_name) + _cell("B2", make_id())])
    with unchanged():
        result = cli("import", "members", book)
    assert result.exit_code == 2 and "32767" in result.stderr, result.stderr


def test_a_cell_at_excels_limit_passes(tmp_path):
    book = _workbook(tmp_path / "ok.xlsx", [_header(), _cell("A2", "a&amp;" * 16_383) + _cell("B2", make_id())])
    bounds.check_input(book)  # 32,766 characters once &amp; is read


def test_a_csv_cell_past_excels_limit_is_refused(cli, ledger, tmp_path, unchanged):
    register = tmp_path / "名册.csv"
    register.write_text(f"姓名,身份证号\n{'张' * 1_000_000},{make_id()}\n", encoding="utf-8")
    with unchanged():
        result = cli("import", "members", register)
    assert result.exit_code == 2 and "32767" in result.stderr, result.stderr


def _straddling_csv(path: Path, cell: str, end: str = "\n") -> Path:
    """A roster CSV of ordinary rows whose oversized 备注 cell starts 20,000 bytes before the first 1 MiB read
    boundary, so that it crosses it: half the cell in one piece, half in the next."""
    head, lines, size = "姓名,身份证号,备注\n", [], 0
    size = len(head.encode())
    serial = 1
    while True:
        line = f"党员{serial},{make_id(serial=serial)},\n"
        if size + len(line.encode()) + 100 > bounds.CHUNK - 20_000:
            break
        lines.append(line)
        size += len(line.encode())
        serial += 1
    last = f"党员{serial},{make_id(serial=serial)},"
    padding = bounds.CHUNK - 20_000 - size - len(last.encode())
    lines.append(f"党员{serial + 1},{make_id(serial=serial + 1)},{'b' * max(padding - 30, 1)}\n")
    path.write_bytes((head + "".join(lines) + last + cell + end).encode("utf-8"))
    return path


@pytest.mark.parametrize("end", ["\n", ""], ids=["then-a-line-break", "at-the-end-of-the-file"])
def test_a_csv_cell_across_a_read_boundary_is_refused(cli, ledger, tmp_path, unchanged, end):
    register = _straddling_csv(tmp_path / "名册.csv", "a" * 40_000, end)
    data = register.read_bytes()
    start = data.index(b"a" * 40_000)
    assert start < bounds.CHUNK < start + 40_000  # the cell crosses the boundary
    with pytest.raises(bounds.InputTooBig):
        bounds.check_csv(register)
    with unchanged():
        result = cli("import", "members", register)
    assert result.exit_code == 2 and "32767" in result.stderr, result.stderr


def test_a_csv_cell_at_the_limit_across_a_read_boundary_passes(tmp_path):
    bounds.check_csv(_straddling_csv(tmp_path / "名册.csv", "a" * 32_767))


def test_ordinary_workbooks_pass_the_check(tmp_path):
    rows = [_header()] + [_cell(f"A{r}", f"党员{r}") + _cell(f"B{r}", make_id(serial=r)) for r in range(2, 500)]
    bounds.check_input(_workbook(tmp_path / "ok.xlsx", rows))
