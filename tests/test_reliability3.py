"""Reliability round two, the rest (issue #13): --mask-ids for audit --xlsx and import --errors; a workbook no
reader can open is told in Chinese (never the reader's English), exit 2, nothing written; a sheet of headers only
records no batch; a blank Excel date cell is shown as the date it is."""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from flowparty import backup, parse, sheets
from tests import cfb
from tests.conftest import snapshot
from tests.ids import make_id

PHONE = "13800138000"


def _texts(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)


# ---------------------------------------------------------------- --mask-ids


def test_audit_xlsx_masks_ids_with_the_flag_and_only_then(cli, ledger, tmp_path):
    id_number = make_id(serial=7)
    assert cli("member", "add", "--name", "张三", "--id", id_number, "--phone", PHONE).exit_code == 0
    assert cli("register-outflow", id_number, "--to", "浙江省 宁波市 北仑区", "--reason", "务工",
               "--date", "2025-03-01").exit_code == 0
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    assert cli("audit", "--as-of", "2026-01-31", "--xlsx", masked, "--mask-ids").exit_code in (0, 1)
    assert cli("audit", "--as-of", "2026-01-31", "--xlsx", full).exit_code in (0, 1)
    book = openpyxl.load_workbook(masked)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    ids = [row[headers.index("身份证号")].value for row in sheet.iter_rows(min_row=2)]
    assert ids and parse.mask_id(id_number) in ids and "*" in parse.mask_id(id_number)
    assert id_number not in _texts(masked) and PHONE not in _texts(masked)
    assert id_number in _texts(full)


def test_import_errors_workbook_masks_ids_and_phones_with_the_flag_and_only_then(cli, ledger, tmp_path):
    kept = make_id(serial=3)
    assert cli("member", "add", "--name", "王五", "--id", kept).exit_code == 0
    wrong = make_id(serial=1)[:-1] + ("0" if make_id(serial=1)[-1] != "0" else "1")  # a check digit off
    short_phone = "1380013800"  # a digit short: no whole phone, still hidden in the middle
    register = tmp_path / "名册.csv"
    register.write_text("姓名,身份证号,联系电话\n"
                        f"张三,{wrong},{PHONE}\n"
                        f"李四,{make_id(serial=2)},{short_phone}\n"
                        f"赵六,{kept},\n", encoding="utf-8")  # 身份证号 of 王五: the message repeats it
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    before = snapshot(ledger)
    result = cli("import", "members", register, "--errors", masked, "--mask-ids")
    assert result.exit_code == 2 and masked.exists(), result.stderr
    assert cli("import", "members", register, "--errors", full).exit_code == 2
    assert snapshot(ledger) == before
    hidden, shown = _texts(masked), _texts(full)
    for secret in (wrong, kept, short_phone):
        assert secret in shown, secret
        assert secret not in hidden, secret
    assert parse.mask_id(kept) in hidden and "138****3800" in hidden
    rows = list(openpyxl.load_workbook(masked).active.iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == {2, 3, 4}  # the rows are still named, only the secrets hidden


def test_import_all_errors_workbook_takes_the_flag_too(cli, ledger, tmp_path):
    book = tmp_path / "all.xlsx"
    assert cli("member", "add", "--name", "张三", "--id", make_id(serial=1), "--phone", PHONE).exit_code == 0
    assert cli("export", "all", "--xlsx", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    roster = wb["党员名册"]
    headers = [c.value for c in roster[1]]
    roster.cell(row=2, column=headers.index("身份证号") + 1, value=make_id(serial=1)[:-1] + "0"
                if make_id(serial=1)[-1] != "0" else make_id(serial=1)[:-1] + "1")
    wb.save(book)
    report = tmp_path / "errors.xlsx"
    fresh = tmp_path / "fresh.db"
    result = cli("--db", fresh, "init", "--branch", "青山村党支部", "--committee", "青山镇党委", "--code", "3301",
                 "--since", "2025-01", "--province", "四川省", "--city", "南充市")
    assert result.exit_code == 0
    result = cli("--db", fresh, "import", "all", book, "--errors", report, "--mask-ids")
    assert result.exit_code == 2 and report.exists(), result.stderr
    assert not re.search(r"\d{17}[\dX]", _texts(report))


# ---------------------------------------------------------------- files no reader can open


def _good_xlsx(tmp: Path) -> bytes:
    path = tmp / "good.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("名册")
    sheet.write_row(0, 0, ["姓名", "身份证号"])
    sheet.write_row(1, 0, ["张三", make_id(serial=1)])
    book.close()
    return path.read_bytes()


def _zip_of(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


ENGLISH_ALLOWED = {"Excel", "WPS", "HTML", "XML", "xlsx", "csv", "import", "members", "outflows", "flowparty"}


def assert_chinese_only(output: str, *names: str) -> None:
    """No library's English: every run of ASCII letters is a word the clerk's messages use, or the file's name."""
    for name in names:
        output = output.replace(name, "")
    words = set(re.findall(r"[A-Za-z]{3,}", output)) - ENGLISH_ALLOWED
    assert not words, (words, output)


def _unreadable_files(tmp: Path) -> dict[str, tuple[bytes, str]]:
    good = _good_xlsx(tmp)
    return {
        "cut-early.xlsx": (good[: len(good) // 10], "文件不是完整的 Excel 工作簿"),
        "cut-late.xlsx": (good[:-30], "文件不是完整的 Excel 工作簿"),
        "encrypted.xlsx": (cfb.encrypted_xlsx(), "工作簿设了密码"),
        "encrypted-as-xls.xls": (cfb.encrypted_xlsx(), "工作簿设了密码"),
        "password.xls": (cfb.password_xls(), "工作簿设了密码"),
        "panics-the-reader.xls": (cfb.password_xls(mini_sized=True), "工作簿已损坏"),
        "ole-zeros.xls": (cfb.SIGNATURE + b"\0" * 504, "工作簿已损坏"),
        "zip-of-text.xlsx": (_zip_of(**{"readme.txt": "hello"}), "压缩包，但不是 Excel 或 WPS 工作簿"),
        "zip-of-text.ods": (_zip_of(**{"readme.txt": "hello"}), "压缩包，但不是 Excel 或 WPS 工作簿"),
        "web-page.xls": ("<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(), "网页"),
        "text.xls": ("姓名\t身份证号\n张三\t1\n".encode("gbk"), "文件是文本"),
        "empty.xls": (b"", "文件是空的"),
        "noise.xlsb": (bytes(range(256)) * 8, "不是 Excel 或 WPS 工作簿"),
    }


UNREADABLE = ["cut-early.xlsx", "cut-late.xlsx", "encrypted.xlsx", "encrypted-as-xls.xls", "password.xls",
              "panics-the-reader.xls", "ole-zeros.xls", "zip-of-text.xlsx", "zip-of-text.ods", "web-page.xls",
              "text.xls", "empty.xls", "noise.xlsb"]


@pytest.mark.parametrize("name", UNREADABLE)
def test_a_file_no_reader_can_open_is_told_in_chinese_exit_2_nothing_written(cli, ledger, tmp_path, name, capfd):
    files = _unreadable_files(tmp_path)
    assert set(files) == set(UNREADABLE)
    data, expected = files[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(ledger)
    for args in (("import", "members", path), ("import", "members", path, "--dry-run"), ("import", "all", path)):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.exit_code, result.stderr)
        assert result.stderr.startswith("错误：") and expected in result.stderr, result.stderr
        assert_chinese_only(result.stdout + result.stderr, path.name)
    assert snapshot(ledger) == before
    assert backup.newest(ledger) == []
    native = capfd.readouterr().err  # what a native reader wrote straight to file descriptor 2
    assert "panicked" not in native and "Traceback" not in native, native


def test_the_translation_is_one_function_for_every_reader_error(tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(_good_xlsx(tmp_path)[:100])
    error = sheets.unreadable(path, ValueError("invalid Zip archive: Could not find EOCD"))
    assert error.code == 2 and "文件不是完整的 Excel 工作簿" in error.message and "EOCD" not in error.message


# ---------------------------------------------------------------- headers and no rows; blank dates


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_sheet_of_headers_only_records_no_batch_and_takes_no_backup(cli, ledger, tmp_path, suffix):
    path = tmp_path / f"名册{suffix}"
    if suffix == ".csv":
        path.write_text("填表单位：青山村党支部\n姓名,身份证号,联系电话\n,,\n合计,,\n", encoding="utf-8")
    else:
        book = xlsxwriter.Workbook(str(path))
        book.add_worksheet("名册").write_row(0, 0, ["姓名", "身份证号", "联系电话"])
        book.close()
    before = snapshot(ledger)
    for args in (("import", "members", path), ("import", "members", path, "--dry-run")):
        result = cli(*args)
        assert result.exit_code == 2 and "表格中没有数据行" in result.stderr, result.stderr
    assert snapshot(ledger) == before
    conn = sqlite3.connect(ledger)
    assert conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    conn.close()
    assert backup.newest(ledger) == []


def test_a_blank_excel_date_cell_is_named_as_the_date_it_shows_and_refused(cli, ledger, tmp_path):
    path = tmp_path / "登记簿.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet, day = book.add_worksheet("登记簿"), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["姓名", "身份证号", "外出时间", "外出地点", "外出原因"])
    sheet.write_row(1, 0, ["张三", make_id(serial=1)])
    sheet.write_number(1, 2, 0, day)  # what Excel holds for a date cell left blank with a 0
    sheet.write_row(1, 3, ["广东省深圳市", "务工"])
    book.close()
    before = snapshot(ledger)
    result = cli("import", "outflows", path)
    assert result.exit_code == 2
    message = result.stderr.replace("\n", "")
    assert "（1899-12-30）" in message and "00:00:00" not in message and "空白日期" in message, message
    assert snapshot(ledger) == before
