"""Values in and out without loss (SPEC §8, issue #12): amounts, 身份证号 typed as numbers, blank Excel dates,
text kept as typed, headers matched by meaning, and a workbook that holds numbers as numbers."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowparty import dues, importer, parse, sheets
from flowparty.errors import BadInput
from tests.ids import make_id

ID = make_id("19850312", serial=11)


def refused(parser, *args) -> BadInput:
    with pytest.raises(BadInput) as caught:
        parser(*args)
    return caught.value


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize("typed, fen", [
    ("36", 3600), ("36.00", 3600), ("36元", 3600), ("￥36", 3600), ("¥36", 3600), ("RMB36", 3600), ("rmb 36", 3600),
    ("1,200.00", 120000), ("1，200", 120000), ("12,345,678", 1234567800), ("３６．５", 3650), ("0.2", 20),
    (36, 3600), (36.5, 3650), (1200.0, 120000), (Decimal("6.00"), 600),
])
def test_amounts_in_the_usual_forms(typed, fen):
    assert parse.parse_amount(typed) == fen


@pytest.mark.parametrize("typed", ["36,00", "36，5", "1,20", "1,2000", "12,34.5"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused(typed):
    error = refused(parse.parse_amount, typed, "缴费金额")
    assert error.message.startswith(f"缴费金额“{typed}”") and "不是千位分隔符" in error.message


@pytest.mark.parametrize("typed", [1e17, float("inf"), float("-inf"), float("nan"), "9" * 40, "99999999999999.00"])
def test_a_huge_amount_is_refused_plainly(typed):
    error = refused(parse.parse_amount, typed)
    assert "不是合理的金额" in error.message


@given(st.integers(1, 10**9), st.booleans())
def test_thousands_separators_never_change_an_amount(fen, grouped):
    yuan, cents = divmod(fen, 100)
    text = (f"{yuan:,}" if grouped else str(yuan)) + f".{cents:02d}"
    assert parse.parse_amount(text) == fen


@given(st.text(max_size=30))
def test_any_typed_amount_is_fen_or_a_clear_refusal(text):
    try:
        assert parse.parse_amount(text) > 0
    except BadInput as error:
        assert error.message.startswith("金额“")


def test_a_payment_above_the_plausible_limit_needs_force():
    assert dues.DEFAULT_PLAUSIBLE_FEN == 200_000 and dues.PLAUSIBLE_SETTING == "dues_plausible_fen"
    dues.check_plausible(6 * 200_000, 6)  # exactly 2,000 元 a month passes
    error = refused(dues.check_plausible, 360_000, 1)
    assert "每月 3600.00 元" in error.message and "--force" in error.message
    dues.check_plausible(360_000, 1, limit_fen=500_000)  # a branch that raised its limit


# ---------------------------------------------------------------- 身份证号


@pytest.mark.parametrize("cell", [5.11321e+17, 511321198503120115.0, 511321198503120115, "5.11321E+17",
                                  "511321198503120115.0"])
def test_an_id_typed_as_a_number_says_to_format_the_column_as_text(cell):
    error = refused(parse.parse_id_number, cell)
    assert "数字格式" in error.message and "文本" in error.hint and "校验位" not in error.message


def test_an_id_number_cell_shows_as_excel_shows_it():
    assert "5.11321E+17" in refused(parse.parse_id_number, 5.11321e+17).message
    assert "5.11321E+17" in refused(parse.parse_id_number, 511321000000000000).message  # as a reader hands it on


def test_an_id_number_typed_as_a_number_in_a_workbook_is_refused_with_the_text_hint(tmp_path):
    path = workbook(tmp_path / "a.xlsx", [["姓名", "身份证号", "外出时间", "流入地", "外出原因"],
                                          ["张三", 511321198503120115.0, "2026-03-01", "宁波", "务工"]])
    cell = next(read(path).rows).values["id_number"]
    error = refused(parse.parse_id_number, cell)
    assert "数字格式" in error.message and "文本" in error.hint


@pytest.mark.parametrize("birth", ["20300101", "18000101", "18991231"])
def test_a_birth_date_in_an_id_must_be_plausible(birth):
    error = refused(parse.parse_id_number, make_id(birth))
    assert "出生日期" in error.message and "不合理" in error.message


def test_a_real_id_still_passes():
    assert parse.parse_id_number(ID.lower()) == ID
    assert parse.parse_id_number(ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == ID


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("cell", [0, 0.0, datetime(1899, 12, 30), date(1899, 12, 30), date(1899, 12, 31), time(0, 0),
                                  "1899-12-30", "1899/12/31", "1900-01-00", "00:00:00", "1899-12-30 00:00:00"])
def test_an_excel_blank_date_is_no_date(cell):
    error = refused(parse.parse_date, cell, "外出时间")
    assert error.message.startswith("外出时间没有有效的日期") and "00:00:00" not in error.message


@pytest.mark.parametrize("cell", ["1850-01-01", date(1800, 5, 1), "1899年6月1日"])
def test_a_date_before_1900_is_refused(cell):
    assert "早于 1900 年" in refused(parse.parse_date, cell, "入党时间").message


@pytest.mark.parametrize("typed", ["２０２６／３／１", "2026．3．1", "２０２６年３月１日", "2026-03-01", 46082])
def test_dates_in_full_width_forms_still_read(typed):
    assert parse.parse_date(typed, "日期") == date(2026, 3, 1)


def test_periods_and_phones_in_full_width_still_read():
    assert parse.parse_periods("２０２６－Ｑ１") == [parse.Month(2026, m) for m in (1, 2, 3)]
    assert parse.parse_phone("１３８ ００１３ ８０００") == "13800138000"


# ---------------------------------------------------------------- text kept as typed


def test_fold_keeps_punctuation_and_folds_digits_letters_and_spaces():
    assert parse.fold("　上海（松江），１２３ＡＢｃ　") == "上海（松江），123ABc"
    assert parse.parse_destination("上海市（松江）").detail == "（松江）"


@given(st.text(alphabet="（）【】，。、：；！？“”《》王建国123", max_size=20))
def test_fold_never_changes_chinese_punctuation(text):
    assert parse.fold(text) == text.strip()


@pytest.mark.parametrize("bad", ["王建国\x00", "\x1b[31m王建国", "王\x07建国", "王建\x9b国"])
def test_control_characters_are_refused(bad):
    error = refused(parse.clean_name, bad, "姓名")
    assert "控制字符" in error.message and "\x1b" not in error.message and "\x00" not in error.message
    refused(parse.clean_text, bad, "备注")


def test_free_text_keeps_tabs_and_line_breaks():
    assert parse.clean_text("第一行\n第二行\t完", "备注") == "第一行\n第二行\t完"


@pytest.mark.parametrize("look_alike", ["王\u200d建\u200b国", "\ufeff王建国", "王\u202e建国", "王建\u2060国"])
def test_invisible_characters_are_stripped_so_a_look_alike_is_the_same_name(look_alike):
    assert parse.clean_name(look_alike) == "王建国"
    assert parse.fold(look_alike) == "王建国"


def test_over_long_text_is_refused_not_cut():
    assert parse.clean_name("王" * 50) == "王" * 50
    error = refused(parse.clean_name, "王" * 51, "姓名")
    assert "51 个字符，最多 50 个" in error.message
    error = refused(parse.clean_text, "记" * 2001, "备注")
    assert "2001 个字符，最多 2000 个" in error.message


# ---------------------------------------------------------------- sheets

OUTFLOWS = importer.KINDS["outflows"]
DUES = importer.KINDS["dues"]


def read(path: Path, kind=OUTFLOWS) -> sheets.Table:
    return sheets.read_table(path, kind.keys, kind.required)


def workbook(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "登记簿"
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


@pytest.mark.parametrize("header, key", [
    ("金额（元）", "amount"), ("缴费金额(元)", "amount"), ("联系电话(手机)", "phone"), ("手机号码", "phone"),
    ("证件号码", "id_number"), ("公民身份号码*", "id_number"), ("姓 名：", "name"), ("缴费\n月份", "period"),
    ("交费月份", "period"), ("党费所属期", "period"), ("交纳时间", "paid_on"), ("现居住地", "destination"),
    ("外出地点（省市）", "destination"), ("离开时间", "left_on"), ("外出日期（年月日）", "left_on"), ("序号", "seq"),
])
def test_headers_are_matched_by_meaning(header, key):
    assert sheets.header_key(header) == key


def test_bracketed_words_that_are_not_a_unit_keep_a_header_apart():
    assert sheets.header_key("金额（补交）") is None


def test_columns_the_import_does_not_use_are_named(tmp_path):
    path = workbook(tmp_path / "a.xlsx", [["序号", "姓名", "身份证号", "外出时间", "流入地", "外出原因", "籍贯", "学历"],
                                          [1, "张三", ID, "2026-03-01", "深圳", "务工", "四川", "高中"]])
    table = read(path)
    assert table.ignored == ["籍贯", "学历"]
    assert sheets.ignored_note(table) == "未使用的列：“籍贯”、“学历”"
    assert [r.values["destination"] for r in table.rows] == ["深圳"]


def test_a_sheet_whose_every_column_is_read_names_none(tmp_path):
    path = workbook(tmp_path / "a.xlsx", [["序号", "姓名", "身份证号", "外出时间", "流入地", "外出原因"],
                                          [1, "张三", ID, "2026-03-01", "深圳", "务工"]])
    table = read(path)
    assert table.ignored == [] and sheets.ignored_note(table) is None


def test_a_header_far_down_the_sheet_is_found(tmp_path):
    notes = [[f"填表说明第 {i} 条"] for i in range(199)]
    path = workbook(tmp_path / "a.xlsx", [*notes, ["姓名", "身份证号", "外出时间", "流入地", "外出原因"],
                                          ["张三", ID, "2026-03-01", "宁波", "务工"]])
    rows = list(read(path).rows)
    assert rows[0].number == 201 and rows[0].values["name"] == "张三"


def test_two_columns_for_one_key_are_refused_naming_both(tmp_path):
    path = workbook(tmp_path / "a.xlsx", [["姓名", "身份证号", "外出时间", "流入地", "外出原因", "证件号码"],
                                          ["张三", ID, "2026-03-01", "宁波", "务工", ID]])
    error = refused(read, path)
    assert "第 B 列“身份证号”" in error.message and "第 F 列“证件号码”" in error.message


def test_a_merged_header_over_two_columns_is_one_column(tmp_path):
    path = workbook(tmp_path / "a.xlsx", [["姓名", "身份证号", "外出时间", "流入地", None, "外出原因"],
                                          ["张三", ID, "2026-03-01", "浙江", "宁波", "务工"]], merges=("D1:E1",))
    table = read(path)
    assert table.headers["destination"] == "流入地"
    assert next(table.rows).values["destination"] == "浙江"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_cell_protected_by_export_comes_back_without_the_apostrophe(tmp_path, encoding):
    path = tmp_path / "dues.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([["姓名", "身份证号", "所属月份", "金额（元）", "缴费日期", "备注"],
                                      ["张三", ID, "2026-01", "36.00", "2026-01-05", "'=1+1"],
                                      ["李四", ID, "2026-02", "36.00", "2026-02-05", "'-补交"],
                                      ["王五", ID, "2026-03", "36.00", "2026-03-05", "'普通"]])
    notes = [r.values["notes"] for r in read(path, DUES).rows]
    assert notes == ["=1+1", "-补交", "'普通"]


def ods(path: Path, rows: list[list], spans: dict[tuple[int, int], tuple[int, int]]) -> Path:
    """An .ods written by odfpy; spans maps (row, col) to (rows spanned, columns spanned)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    covered = {(r + dr, c + dc) for (r, c), (down, across) in spans.items()
               for dr in range(down) for dc in range(across) if dr or dc}
    doc = OpenDocumentSpreadsheet()
    table = Table(name="登记簿")
    for r, values in enumerate(rows):
        tr = TableRow()
        for c, value in enumerate(values):
            if (r, c) in covered:
                tr.addElement(CoveredTableCell())
                continue
            extra = {}
            if (r, c) in spans:
                extra = {"numberrowsspanned": spans[r, c][0], "numbercolumnsspanned": spans[r, c][1]}
            cell = TableCell(valuetype="string", **extra) if value is not None else TableCell(**extra)
            if value is not None:
                cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def test_merged_cells_of_an_ods_are_filled_like_a_workbooks(tmp_path):
    rows = [["青山村外出流动党员登记簿", None, None, None, None],
            ["姓名", "身份证号", "外出时间", "流入地", "外出原因"],
            ["张三", make_id(serial=1), "2026-03-01", "浙江宁波", "务工"],
            ["李四", make_id(serial=2), "2026-03-01", None, None],
            ["王五", make_id(serial=3), "2026-04-01", "广东深圳", "经商"]]
    path = ods(tmp_path / "登记簿.ods", rows, {(0, 0): (1, 5), (2, 3): (2, 1), (2, 4): (2, 1)})
    values = [(r.number, r.values["name"], r.values["destination"], r.values["reason"]) for r in read(path).rows]
    assert values == [(3, "张三", "浙江宁波", "务工"), (4, "李四", "浙江宁波", "务工"), (5, "王五", "广东深圳", "经商")]


# ---------------------------------------------------------------- the annual report's workbook


def test_the_report_workbook_holds_numbers_as_numbers(tmp_path):
    from flowparty import report

    data = {"branch": "青山村党支部", "year": 2025, "as_of": "2025-12-31", "outflow_total": 17, "cross_province": 9,
            "cross_city": 5, "within_city": 1, "destination_unknown": 2, "card_holders": 15, "inflow_total": 3,
            "by_unit_type": {}, "unit_type_unrecorded": 0, "by_occupation": {}, "occupation_unrecorded": 0,
            "new_outflows": 4, "returns": 1, "transfers_out": 0, "cards_issued": 4, "cards_reviewed": 10,
            "cards_inspected": 1, "checked_in": 15, "checkin_rate": 0.882, "reports": 20, "org_life": 30,
            "org_life_members": 12, "lost_contact": 1, "conversions": {"converted": 0, "extended": 0, "cancelled": 0},
            "dues_months_due": 204, "dues_months_paid": 198, "dues_expected": "7344.00", "dues_expected_fen": 734_400,
            "dues_amount": "7128.50", "dues_amount_fen": 712_850, "dues_months_below_standard": 0, "findings": {}}
    path = tmp_path / "年报.xlsx"
    report.write_workbook(data, path)
    book = openpyxl.load_workbook(path)
    work = {r[0].value: r[1] for r in book["管理工作"].iter_rows(min_row=3)}
    rate = work["报到率"] if "报到率" in work else next(v for k, v in work.items() if "报到率" in str(k))
    assert rate.value == pytest.approx(0.882) and rate.number_format == "0.0%"
    money = {r[0].value: r[1] for r in book["党费"].iter_rows(min_row=3)}
    amounts = [c for k, c in money.items() if "金额" in str(k) or "党费" in str(k) and isinstance(c.value, float)]
    assert {c.value for c in amounts} >= {7128.5, 7344.0}
    assert all(c.number_format == "0.00" for c in amounts if isinstance(c.value, float))
    assert work[next(k for k in work if "报到" in str(k) and "率" not in str(k))].value == 15
    assert book["外出流动党员"]["B3"].value == 17 and book["外出流动党员"]["B3"].data_type == "n"


def test_ods_spans_count_repeated_rows_and_columns(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    def text_cell(value, **extra):
        cell = TableCell(valuetype="string", **extra)
        cell.addElement(P(text=value))
        return cell

    doc = OpenDocumentSpreadsheet()
    table = Table(name="登记簿")
    blank = TableRow(numberrowsrepeated=3)  # three empty rows written as one element
    blank.addElement(TableCell(numbercolumnsrepeated=6))
    table.addElement(blank)
    header = TableRow()
    header.addElement(TableCell(numbercolumnsrepeated=1))  # the table starts in column B
    for word in ("姓名", "身份证号", "外出时间", "流入地", "外出原因"):
        header.addElement(text_cell(word))
    table.addElement(header)
    for r, (name, serial) in enumerate((("张三", 1), ("李四", 2))):
        row = TableRow()
        row.addElement(TableCell())
        for value in (name, make_id(serial=serial)):
            row.addElement(text_cell(value))
        if r == 0:
            row.addElement(text_cell("2026-03-01", numberrowsspanned=2, numbercolumnsspanned=2))
            row.addElement(CoveredTableCell())
            row.addElement(text_cell("务工", numberrowsspanned=2))
        else:
            row.addElement(CoveredTableCell(numbercolumnsrepeated=3))
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    path = tmp_path / "a.ods"
    doc.save(str(path))
    rows = [(r.number, r.values["name"], r.values["left_on"], r.values["destination"], r.values["reason"])
            for r in read(path).rows]
    assert rows == [(5, "张三", "2026-03-01", "2026-03-01", "务工"), (6, "李四", "2026-03-01", "2026-03-01", "务工")]


@given(st.one_of(st.integers(10**16, 10**18), st.floats(1e16, 1e18)))
def test_any_id_given_as_a_number_gets_the_format_as_text_message(number):
    assert "数字格式" in refused(parse.parse_id_number, number).message
