"""Bad input of every kind: each parser refuses with BadInput (never another exception), and the command line,
given random arguments, ends with exit 0/1/2/3, never a traceback, and a refused command writes nothing."""

from __future__ import annotations

import string
from datetime import date

import click
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flowparty import labels as L
from flowparty import parse
from flowparty.cli import app
from flowparty.errors import BadInput
from tests.conftest import snapshot
from tests.ids import make_id

junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + "-/.年月日Qq季度元角分 xX+()，．０１２", max_size=24),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.dates().map(str),
)

PARSERS = {
    "date": lambda v: parse.parse_date(v, L.FIELD_DATE),
    "optional date": lambda v: parse.optional_date(v, L.FIELD_DATE),
    "date or month": lambda v: parse.parse_date_or_month(v, L.FIELD_DATE),
    "month": parse.parse_month,
    "periods": parse.parse_periods,
    "amount": parse.parse_amount,
    "id": parse.parse_id_number,
    "phone": parse.parse_phone,
    "optional phone": parse.optional_phone,
    "gender": lambda v: parse.parse_choice(v, L.GENDERS, L.FIELD_GENDER),
    "destination": parse.parse_destination,
}


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(PARSERS)), value=junk)
def test_every_parser_accepts_or_refuses_with_bad_input(name, value):
    try:
        PARSERS[name](value)
    except BadInput as error:
        assert error.code == 2 and error.message


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_read_back_in_every_spec_form(day):
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
                 day.strftime("%Y%m%d")):
        assert parse.parse_date(text, L.FIELD_DATE) == day


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10**9))
def test_amounts_round_trip_in_fen(fen):
    assert parse.parse_amount(parse.format_fen(fen)) == fen


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31)), st.integers(0, 99), st.booleans())
def test_valid_id_numbers_are_kept_and_a_changed_digit_is_refused(birth, serial, male):
    id_number = make_id(birth.strftime("%Y%m%d"), serial, male=male)
    assert parse.parse_id_number(id_number.lower()) == id_number
    assert parse.birth_date_from_id(id_number) == birth
    wrong = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
    try:
        parse.parse_id_number(wrong)
    except BadInput as error:
        assert wrong in error.message
    else:
        raise AssertionError(f"{wrong} accepted")


# ---------------------------------------------------------------- the command line with random arguments


def _leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            found += _leaf_commands(cmd, (*prefix, name))
        else:
            found.append(((*prefix, name), cmd))
    return found


COMMANDS = [c for c in _leaf_commands(typer.main.get_command(app)) if c[0][0] not in ("demo", "init")]
values = st.one_of(
    junk.map(str),
    st.sampled_from(["张三", make_id(serial=1), make_id(serial=2), "2025-03-01", "2025-01..2025-03", "2025-Q1",
                     "100", "电话", "广东省深圳市", "home", "inflow", "", "-1", "2999-01-01", "--json"]),
)


@st.composite
def invocations(draw):
    path, cmd = draw(st.sampled_from(COMMANDS))
    args = list(path)
    options = [p for p in cmd.params if isinstance(p, click.Option)]
    for _ in range(draw(st.integers(0, 4))):
        if options and draw(st.booleans()):
            option = draw(st.sampled_from(options))
            args.append(option.opts[0])
            if not option.is_flag:
                args.append(draw(values))
        else:
            args.append(draw(values))
    return args


@pytest.fixture
def roster(cli, ledger, tmp_path, monkeypatch):
    """Two members the random arguments can name; a random file argument lands in the test's own folder."""
    for serial, name in ((1, "张三"), (2, "李四")):
        assert cli("member", "add", "--name", name, "--id", make_id(serial=serial)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    return ledger


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(args=invocations())
def test_random_command_lines_end_cleanly_and_a_refusal_writes_nothing(roster, args):
    ledger = roster
    before = snapshot(ledger)
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code, output)
    assert "Traceback" not in output
    if result.exit_code in (2, 3):
        assert snapshot(ledger) == before, args


# ---------------------------------------------------------------- bad workbooks: sizes, shapes, encodings
#
# Every file below is made in code: random bytes; real .xlsx/.ods/.xls cut at a random point or with bytes
# flipped; zip bombs small enough to pass the bounds; CSVs in GBK, UTF-16, with and without BOM; huge rows;
# empty files; merged headers; random sheet shapes. Each import ends with exit 0 or 2 and Chinese output,
# never a traceback, exit 70 or a reader's English, and an exit 2 leaves the ledger as it was. The default
# run stays well under a minute; FLOWPARTY_SOAK=<n> (the switch tests/test_faults.py reads) runs n times as many.

import io
import os
import re
import zipfile
from pathlib import Path

import xlsxwriter

from flowparty import backup
from tests import cfb

SOAK = max(1, int(os.environ.get("FLOWPARTY_SOAK") or 1))
WORKBOOK_EXAMPLES = 150 * SOAK
HEADER_WORDS = ["姓名", "身份证号", "联系电话", "性别", "外出时间", "外出地点", "外出原因", "所属月份", "金额",
                "交纳日期", "序号", "合计", "备注", "填表单位：青山村党支部", "外出流动党员登记簿"]
chinese_text = st.text(alphabet="张王李赵青山村党支部一二三　 ，。（）：-/0123456789*＊", max_size=12)
cell_values = st.one_of(
    st.none(), chinese_text, st.sampled_from(HEADER_WORDS), st.integers(-10**18, 10**18),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(min_value=date(1900, 1, 1)).map(str),
    st.sampled_from([make_id(serial=1), make_id(serial=2), "13800138000", "2025-03", "36.00", "1899-12-30"]),
)


def _xlsx(rows: list[list[object]], merges: tuple = (), sheet: str = "名册") -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    for first_row, first_col, last_row, last_col, value in merges:
        ws.merge_range(first_row, first_col, last_row, last_col, value)
    book.close()
    return out.getvalue()


def _ods(rows: list[list[object]]) -> bytes:
    """A minimal OpenDocument spreadsheet, text cells only."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    body = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in rows)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
               f'<office:spreadsheet><table:table table:name="名册">{body}</table:table></office:spreadsheet>'
               "</office:body></office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)
        book.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                      'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return out.getvalue()


def _xls() -> bytes:
    """A compound file whose Workbook stream is BIFF8 records: BOF, a sheet, EOF (enough for the reader to try)."""
    import struct

    def record(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    bof = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    sheet = record(0x0085, struct.pack("<IBBB", 4096, 0, 0, 2) + "名册".encode("utf-16-le"))
    return cfb.compound_file({"Workbook": bof + sheet + record(0x000A, b"")})


ROWS = [["填表单位：青山村党支部"], ["序号", "姓名", "身份证号", "联系电话"],
        [1, "张三", make_id(serial=1), "13800138000"], [2, "李四", make_id(serial=2), None]]
BASES = {".xlsx": _xlsx(ROWS), ".ods": _ods(ROWS), ".xls": _xls(), ".csv": "\n".join(
    ",".join("" if v is None else str(v) for v in row) for row in ROWS).encode()}


def _bomb(rows: int) -> bytes:
    """Many copies of one row, deflated: a high ratio, but inside the bounds (a few MB inflated)."""
    row = f'<row><c t="inlineStr"><is><t>张三</t></is></c><c t="inlineStr"><is><t>{make_id(serial=1)}</t></is></c></row>'
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             '2006/main"><sheetData><row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>身份证号'
             '</t></is></c></row>' + row * rows + "</sheetData></worksheet>")
    source = zipfile.ZipFile(io.BytesIO(BASES[".xlsx"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            book.writestr(item.filename, data)
    return out.getvalue()


@st.composite
def bad_workbooks(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["random", "cut", "flipped", "bomb", "encoding", "huge row", "empty", "merged",
                                 "shape", "ole"]))
    if kind == "random":
        return draw(st.sampled_from([".xlsx", ".xls", ".ods", ".xlsb", ".csv"])), draw(st.binary(max_size=4096))
    if kind in ("cut", "flipped"):
        suffix = draw(st.sampled_from(sorted(BASES)))
        data = bytearray(BASES[suffix])
        if kind == "cut":
            return suffix, bytes(data[:draw(st.integers(0, len(data) - 1))])
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return suffix, bytes(data)
    if kind == "bomb":
        return ".xlsx", _bomb(draw(st.integers(1, 2_000)))
    if kind == "encoding":
        text = "\n".join(",".join(draw(st.lists(st.one_of(chinese_text, st.sampled_from(HEADER_WORDS)), max_size=5)))
                         for _ in range(draw(st.integers(0, 6))))
        text = draw(st.sampled_from(["姓名,身份证号\n", ""])) + text
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "big5"]))
        return ".csv", text.encode(encoding, "replace")
    if kind == "huge row":
        width = draw(st.integers(1_000, 8_000))
        cell = draw(st.sampled_from(["张", "1", "身份证号"]))
        rows = [["姓名", "身份证号"], [cell] * width]
        if draw(st.booleans()):
            return ".csv", "\n".join(",".join(row) for row in rows).encode()
        return ".xlsx", _xlsx(rows)
    if kind == "empty":
        return draw(st.sampled_from([".xlsx", ".xls", ".ods", ".csv"])), draw(st.sampled_from([b"", b"\n", b"\xef\xbb\xbf"]))
    if kind == "merged":
        width = draw(st.integers(2, 6))
        rows = [["外出流动党员登记簿"], [None] * width, *[[draw(cell_values) for _ in range(width)] for _ in range(3)]]
        merges = [(0, 0, 0, width - 1, "外出流动党员登记簿"),
                  (1, 0, 1, draw(st.integers(1, width - 1)), draw(st.sampled_from(HEADER_WORDS)))]
        return ".xlsx", _xlsx(rows, merges)
    if kind == "ole":
        data = bytearray(draw(st.sampled_from([cfb.encrypted_xlsx(), cfb.password_xls(), _xls(),
                                               cfb.password_xls(mini_sized=True)])))
        for _ in range(draw(st.integers(0, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return draw(st.sampled_from([".xls", ".xlsx"])), bytes(data)
    rows = draw(st.lists(st.lists(cell_values, max_size=8), max_size=12))  # a random shape
    return ".xlsx" if draw(st.booleans()) else ".csv", _xlsx(rows) if not rows or draw(st.booleans()) else "\n".join(
        ",".join("" if v is None else str(v) for v in row) for row in rows).encode("utf-8")


LIBRARY_WORDS = re.compile(r"Traceback|Error|error|Exception|EOCD|[Pp]assword|Cfb|panick|[Ii]nvalid|not found|"
                           r"zip|Zip|File |expected|unexpected|Workbook|sheet")


@settings(max_examples=WORKBOOK_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=bad_workbooks(), command=st.sampled_from(["members", "outflows", "dues"]), dry_run=st.booleans())
def test_bad_workbooks_end_in_exit_0_or_2_in_chinese_and_a_refusal_writes_nothing(ledger, tmp_path, case, command,
                                                                                   dry_run):
    suffix, data = case
    path = tmp_path / f"表{suffix}"
    path.write_bytes(data)
    before = snapshot(ledger)
    backups = backup.newest(ledger)
    args = ["import", command, str(path), *(["--dry-run"] if dry_run else [])]
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (suffix, data[:64], result.exception)
    assert result.exit_code in (0, 2), (suffix, data[:64], result.exit_code, output)
    ours = re.sub(r"--[\w-]+", "", output.replace(path.name, ""))  # the file's name, our own options
    assert not LIBRARY_WORDS.search(ours), (suffix, data[:64], output)
    if result.exit_code == 2:
        assert "错误：" in result.stderr, output  # after the bad rows, when rows were bad
        assert snapshot(ledger) == before and backup.newest(ledger) == backups


def test_the_bad_workbook_fuzz_left_no_native_noise(capfd, ledger, tmp_path):
    """A reader that panics writes to file descriptor 2 itself; the import keeps that off the clerk's screen."""
    path = tmp_path / "坏.xls"
    path.write_bytes(cfb.password_xls(mini_sized=True))
    result = CliRunner().invoke(app, ["import", "members", str(path)], catch_exceptions=True)
    assert result.exit_code == 2 and "工作簿已损坏" in result.stderr
    assert "panicked" not in capfd.readouterr().err
