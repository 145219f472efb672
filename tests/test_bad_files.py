"""The importer fed broken files: each gets one clear Chinese error, exit 2, no traceback, and nothing written."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from flowparty import sheets
from tests.ids import make_id


def _workbook(path: Path, rows: list[list[object]]) -> bytes:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名册")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return path.read_bytes()


def _broken_sheet_xml(good: bytes) -> bytes:
    """A real zip whose worksheet XML is cut off half-way."""
    source, target = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            out.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    return target.getvalue()


def _files(tmp: Path) -> dict[str, bytes]:
    good = _workbook(tmp / "good.xlsx", [["姓名", "身份证号"], ["张三", make_id(serial=1)]])
    return {
        "truncated.xlsx": good[: len(good) // 2],
        "broken-sheet.xlsx": _broken_sheet_xml(good),
        "text-renamed.xlsx": "姓名,身份证号\n张三,1\n".encode(),
        "zero-bytes.xlsx": b"",
        "random.xls": os.urandom(4096),
        "random.ods": b"PK\x03\x04" + os.urandom(4096),
        "empty-sheet.xlsx": _workbook(tmp / "e.xlsx", []),
        "ten-thousand-columns.xlsx": _workbook(tmp / "w.xlsx", [[f"列{c}" for c in range(10_000)], ["x"]]),
        "utf16.csv": f"姓名,身份证号\n张三,{make_id(serial=1)}\n".encode("utf-16"),
        "binary.csv": bytes(range(256)) * 20,
        "huge-cell.csv": ("姓名,身份证号\n" + "张" * 1_000_000 + ",1\n").encode(),
        "unclosed-quote.csv": ("姓名,身份证号\n\"张三," + "x" * 200_000 + "\n").encode(),
        "no-header.csv": b"a,b\n1,2\n",
        "notes.txt": "姓名,身份证号\n".encode(),
    }


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict[str, bytes]:
    return _files(tmp_path_factory.mktemp("broken"))


NAMES = ["truncated.xlsx", "broken-sheet.xlsx", "text-renamed.xlsx", "zero-bytes.xlsx", "random.xls", "random.ods",
         "empty-sheet.xlsx", "ten-thousand-columns.xlsx", "utf16.csv", "binary.csv", "huge-cell.csv",
         "unclosed-quote.csv", "no-header.csv", "notes.txt"]


@pytest.mark.parametrize("reader", ["calamine", "streaming"])
@pytest.mark.parametrize("name", NAMES)
def test_a_broken_file_is_refused_in_chinese_and_writes_nothing(cli, ledger, unchanged, tmp_path, broken, name,
                                                                reader, monkeypatch):
    assert set(broken) == set(NAMES)
    if reader == "streaming":  # every .xlsx counts as big: openpyxl reads it row by row
        monkeypatch.setattr(sheets, "STREAM_SHEET_BYTES", -1)
    path = tmp_path / name
    path.write_bytes(broken[name])
    with unchanged():
        result = cli("import", "members", path)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stderr.startswith("错误：") and "Traceback" not in result.stderr
    assert len(result.stderr) < 2000  # one clear message, not a dump of the file


def test_a_huge_cell_in_a_workbook_is_named_by_row_and_nothing_is_written(cli, ledger, unchanged, tmp_path):
    path = tmp_path / "huge.xlsx"
    _workbook(path, [["姓名", "身份证号"], ["张" * 30_000, "1" * 30_000]])
    with unchanged():
        result = cli("import", "members", path)
    assert result.exit_code == 2
    message = result.stderr.replace("\n", "")
    assert "第 2 行" in message and "Traceback" not in message
    assert "1" * 60 + "…）" in message  # the cell is shown cut short where the row is named
