"""Spreadsheets in and out: messy township registers imported whole or not at all, undone, and exported."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from flowparty import export, importer, parse
from flowparty.errors import BadInput
from tests.ids import make_id

X_ID = "51130219850505081x"  # a real check digit X, typed in lowercase
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HEADERS = ["序号", "姓名", "性别", "身份证号码", "联系电话（手机）", "入党时间", "外出时间", "流入地(省市)", "外出原因",
           "工作单位", "是否持有活动证", "备注"]


def rows_of(ledger_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(ledger_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def township_register(path: Path, bad_id: str | None = None) -> Path:
    """A real-looking 登记簿: title and note rows, a merged title, one date form per row, a blank row, 合计."""
    wb = Workbook()
    ws = wb.active
    ws.title = "登记簿"
    ws.append(["青山村外出流动党员登记簿"])
    ws.merge_cells("A1:L1")
    ws.append(["填报单位：青山村党支部        填报日期：2026年6月1日"])
    ws.merge_cells("A2:L2")
    ws.append(HEADERS)
    people = [
        ("张伟", "男", make_id(serial=1), "13800138001", date(2001, 7, 1), datetime(2024, 3, 1), "浙江省宁波市"),
        ("李娜", "女", make_id(serial=2, male=False), "138 0013 8002", "2005/7/1", "2024/3/2", "浙江省 杭州市"),
        ("王强", "男", make_id(serial=3), 13800138003, "2010.7.1", "2024.3.3", "广东省深圳市"),
        ("赵敏", "女", make_id(serial=4, male=False), "13800138004", "2012年6月", 20240304, "上海市"),
        ("刘洋", "男", X_ID, "13800138005", "2015年7月1日", "20240305", "江苏省苏州市"),
        ("陈静", "女", make_id(serial=6, male=False).translate(FULLWIDTH), "１３８００１３８００６", "2016-07-01",
         45352 + 5, "浙江省宁波市"),
    ]
    for n, (name, gender, id_number, phone, joined, left, to) in enumerate(people, 1):
        ws.append([n, name, gender, id_number, phone, joined, left, to, "务工", "某某厂", "否", None])
        if n == 3:
            ws.append([])  # a blank row between people
    if bad_id:
        ws.append([7, "孙丽", "女", bad_id, "13800138007", "2016-07-01", "2024-03-07", "浙江省宁波市", "务工", None, "否"])
    ws.append(["合计", None, None, None, None, None, None, None, None, None, None, f"共 {len(people)} 人"])
    ws.append(["制表人：王书记    审核人：李委员"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=12)
    wb.save(path)
    return path


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return township_register(tmp_path / "登记簿.xlsx")


# ---------------------------------------------------------------- import


def test_township_register_imports_in_one_command(cli, ledger, register):
    result = cli("import", "outflows", register)
    assert result.exit_code == 0, result.stderr
    assert "新增 6 行" in result.stdout
    members = rows_of(ledger, "SELECT name, id_number, phone, joined_on, status FROM members ORDER BY id")
    assert [m[0] for m in members] == ["张伟", "李娜", "王强", "赵敏", "刘洋", "陈静"]
    assert members[4][1] == X_ID.upper()
    assert members[5][1] == make_id(serial=6, male=False) and members[5][2] == "13800138006"
    assert members[1][2] == "13800138002" and members[2][2] == "13800138003"
    assert [m[3] for m in members] == ["2001-07-01", "2005-07-01", "2010-07-01", "2012-06-01", "2015-07-01",
                                       "2016-07-01"]
    assert {m[4] for m in members} == {"away"}
    outflows = rows_of(ledger, "SELECT left_on, province, city, reason FROM outflows ORDER BY id")
    assert [o[0] for o in outflows] == [f"2024-03-0{d}" for d in range(1, 7)]
    assert outflows[3][1:3] == ("上海市", "上海市") and outflows[1][1:3] == ("浙江省", "杭州市")


def test_one_bad_row_writes_nothing_and_names_sheet_row_column_value(cli, ledger, register, tmp_path, unchanged):
    path = township_register(tmp_path / "bad.xlsx", bad_id="511302198001010999")
    report = tmp_path / "错误.xlsx"
    with unchanged():
        result = cli("import", "outflows", path, "--errors", report)
    assert result.exit_code == 2
    assert "工作表“登记簿”第 11 行“身份证号码”列（511302198001010999）" in result.stderr
    assert "没有写入任何数据" in result.stderr
    ws = load_workbook(report).active
    assert [c.value for c in ws[1]] == ["工作表", "行号", "列", "值", "问题"]
    assert [c.value for c in ws[2]][:4] == ["登记簿", 11, "身份证号码", "511302198001010999"]
    assert ws.cell(2, 4).fill.fgColor.rgb.endswith("FFC7CE")


def test_a_step_error_is_a_row_error_too(cli, ledger, tmp_path, unchanged):
    """The checks are records.py's: a left date in the future is refused as on the command line."""
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "外出时间", "流入地", "外出原因"])
    wb.active.append(["张伟", make_id(serial=1), "2099-01-01", "浙江省宁波市", "务工"])
    wb.active.append(["李四", make_id(serial=2), "2024-01-01", "浙江省宁波市", "打工"])
    wb.save(tmp_path / "r.xlsx")
    with unchanged():
        result = cli("import", "outflows", tmp_path / "r.xlsx")
    assert result.exit_code == 2
    assert "工作表“Sheet”第 2 行：外出日期“2099-01-01”晚于今天" in result.stderr
    assert "第 3 行“外出原因”列（打工）" in result.stderr


def test_skip_invalid_writes_the_good_rows_and_lists_the_rest(cli, ledger, tmp_path):
    path = township_register(tmp_path / "bad.xlsx", bad_id="123")
    result = cli("import", "outflows", path, "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "第 11 行" in result.stderr and "新增 6 行" in result.stdout and "跳过有错误的 1 行" in result.stdout
    assert rows_of(ledger, "SELECT rows_added, rows_skipped FROM import_batches") == [(6, 1)]


def test_dry_run_writes_nothing(cli, ledger, register, unchanged):
    with unchanged():
        result = cli("import", "outflows", register, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "将新增 6 行" in result.stdout and "未写入" in result.stdout


def test_reimporting_the_same_file_changes_nothing(cli, ledger, register):
    assert cli("import", "outflows", register).exit_code == 0
    before = rows_of(ledger, "SELECT * FROM members"), rows_of(ledger, "SELECT * FROM outflows")
    result = cli("import", "outflows", register)
    assert result.exit_code == 0, result.stderr
    assert "新增 0 行，已在台账中 6 行" in result.stdout
    assert (rows_of(ledger, "SELECT * FROM members"), rows_of(ledger, "SELECT * FROM outflows")) == before


def test_a_known_id_under_another_name_is_refused(cli, ledger, register, tmp_path):
    cli("member", "add", "--name", "张三", "--id", make_id(serial=1))
    result = cli("import", "outflows", register)
    assert result.exit_code == 2
    assert "登记为“张三”" in result.stderr and "第 4 行“姓名”列（张伟）" in result.stderr


def test_undo_takes_back_the_last_batch_through_history(cli, ledger, register):
    cli("member", "add", "--name", "张伟", "--id", make_id(serial=1))  # on the roster before: stays, goes home
    assert cli("import", "outflows", register).exit_code == 0
    assert cli("import", "outflows", register).exit_code == 0  # an empty batch: undo passes over it
    result = cli("import", "undo")
    assert result.exit_code == 0, result.stderr
    assert rows_of(ledger, "SELECT name, status FROM members") == [("张伟", "home")]
    assert rows_of(ledger, "SELECT count(*) FROM outflows") == [(0,)]
    assert rows_of(ledger, "SELECT count(*) FROM history WHERE action = 'delete'") == [(11,)]
    assert rows_of(ledger, "SELECT undone_at IS NOT NULL FROM import_batches ORDER BY id") == [(1,), (0,)]
    assert cli("import", "undo").exit_code == 2  # nothing left to undo
    assert cli("import", "outflows", register).exit_code == 0  # and the file imports again


def test_undo_is_refused_when_later_records_build_on_the_batch(cli, ledger, register, unchanged):
    assert cli("import", "outflows", register).exit_code == 0
    assert cli("issue-card", make_id(serial=1), "--date", "2024-03-10").exit_code == 0
    with unchanged():
        result = cli("import", "undo")
    assert result.exit_code == 2
    assert "不能撤销" in result.stderr and "import outflows" in result.stderr and "issue-card" in result.stderr


def test_two_row_header_with_merged_group_cells(cli, ledger, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "外出情况", None, None])
    ws.append([None, None, "流出时间", "流向", "外出原因"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:E1")
    ws.append(["张伟", make_id(serial=1), "2024-03-01", "浙江省宁波市", "务工"])
    ws.append(["李娜", make_id(serial=2, male=False), "2024-03-01", "浙江省宁波市", None])
    ws.merge_cells("E3:E4")  # the same reason for both, merged down
    wb.save(tmp_path / "two.xlsx")
    result = cli("import", "outflows", tmp_path / "two.xlsx")
    assert result.exit_code == 0, result.stderr
    assert rows_of(ledger, "SELECT reason FROM outflows") == [("务工",), ("务工",)]


def test_missing_header_is_named(cli, ledger, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "外出时间"])
    wb.save(tmp_path / "x.xlsx")
    result = cli("import", "outflows", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert "缺少“外出地点或省、外出原因”列" in result.stderr and "import template outflows" in result.stderr


def test_sheet_option_and_unknown_sheet(cli, ledger, tmp_path, register):
    result = cli("import", "outflows", register, "--sheet", "第二页")
    assert result.exit_code == 2 and "现有：登记簿" in result.stderr
    assert cli("import", "outflows", register, "--sheet", "登记簿").exit_code == 0


def test_members_from_gbk_csv(cli, ledger, tmp_path):
    path = tmp_path / "名册.csv"
    with path.open("w", encoding="gbk", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["青山村党员名册"])
        out.writerow(["序号", "姓名", "公民身份号码", "手机号", "入党日期", "党员类别"])
        out.writerow(["1", "张伟", make_id(serial=1), "13800138001", "2020年7月1日", "正式党员"])
        out.writerow(["2", "李娜", make_id(serial=2, male=False), "", "2025-07-01", "预备党员"])
        out.writerow(["3", "", "", "", "", ""])
    result = cli("import", "members", path)
    assert result.exit_code == 0, result.stderr
    assert rows_of(ledger, "SELECT name, category, probation_ends FROM members") == [
        ("张伟", "full", None), ("李娜", "probationary", "2026-07-01")]


def test_utf8_bom_csv_and_a_bad_line_number(cli, ledger, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("姓名,身份证号\n张伟,%s\n李娜,12345\n" % make_id(serial=1), encoding="utf-8-sig")
    result = cli("import", "members", path)
    assert result.exit_code == 2
    assert "第 3 行“身份证号”列（12345）" in result.stderr


def test_dues_by_member_and_period(cli, ledger, tmp_path):
    cli("member", "add", "--name", "张伟", "--id", make_id(serial=1))
    cli("member", "add", "--name", "李娜", "--id", make_id(serial=2, male=False))
    wb = Workbook()
    ws = wb.active
    ws.title = "党费"
    ws.append(["2026年党费交纳登记表"])
    ws.append(["姓名", "身份证号", "所属月份", "党费（元）", "交纳时间"])
    ws.append(["张伟", make_id(serial=1), "2026年1月", "６.００元", "2026.2.1"])
    ws.append(["李娜", None, "2026-Q1", 18, date(2026, 3, 5)])
    ws.append(["合计", None, None, 24, None])
    wb.save(tmp_path / "d.xlsx")
    assert cli("import", "dues", tmp_path / "d.xlsx").exit_code == 0
    assert rows_of(ledger, "SELECT period, amount_fen, paid_on FROM dues ORDER BY id") == [
        ("2026-01", 600, "2026-02-01"), ("2026-01", 600, "2026-03-05"), ("2026-02", 600, "2026-03-05"),
        ("2026-03", 600, "2026-03-05")]
    again = cli("import", "dues", tmp_path / "d.xlsx")
    assert again.exit_code == 0 and "新增 0 行，已在台账中 2 行" in again.stdout


def test_reports(cli, ledger, tmp_path):
    cli("member", "add", "--name", "张伟", "--id", make_id(serial=1))
    wb = Workbook()
    wb.active.append(["姓名", "汇报日期", "汇报类型", "内容摘要"])
    wb.active.append(["张伟", "2026/3/1", "情况汇报", "在宁波务工"])
    wb.active.append(["王五", "2026/3/1", None, None])
    wb.save(tmp_path / "r.xlsx")
    result = cli("import", "reports", tmp_path / "r.xlsx", "--skip-invalid")
    assert result.exit_code == 0
    assert "第 3 行“姓名”列（王五）" in result.stderr
    assert rows_of(ledger, "SELECT reported_on, kind FROM reports") == [("2026-03-01", "情况汇报")]


# ---------------------------------------------------------------- templates


def test_template_is_the_shipped_file_with_notes(cli, ledger, tmp_path):
    result = cli("import", "template", "outflows", tmp_path / "t.xlsx")
    assert result.exit_code == 0, result.stderr
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["外出流动党员登记簿", "填写说明"]
    headers = [c.value for c in book.active[1]]
    assert headers[:4] == ["序号", "姓名", "性别", "身份证号"] and "外出时间" in headers
    empty = cli("import", "outflows", tmp_path / "t.xlsx")  # an empty template imports nothing, and says so
    assert empty.exit_code == 2 and "表格中没有数据行" in empty.stderr


@pytest.mark.parametrize("kind", list(importer.KINDS))
def test_shipped_templates_match_the_import_columns(kind, tmp_path):
    """templates/ is found without installing, and holds what write_template makes today."""
    path = export.template_path(kind)
    assert path.is_file()
    fresh = tmp_path / "fresh.xlsx"
    export.write_template(kind, importer.KINDS[kind].keys, importer.KINDS[kind].required, fresh)
    shipped, made = load_workbook(path), load_workbook(fresh)
    for name in made.sheetnames:
        assert [[c.value for c in r] for r in shipped[name].iter_rows()] == \
               [[c.value for c in r] for r in made[name].iter_rows()]


# ---------------------------------------------------------------- export


@pytest.fixture
def filled(cli, ledger, register):
    assert cli("import", "outflows", register).exit_code == 0
    assert cli("update-outflow", make_id(serial=1), "--employer", "=HYPERLINK(\"x\")", "--date", "2024-04-01").exit_code == 0
    assert cli("record-dues", make_id(serial=1), "--period", "2024-03", "--amount", "6", "--date", "2024-04-02",
               "--receipt", "+123").exit_code == 0
    assert cli("record-report", make_id(serial=1), "--date", "2024-05-01", "--summary", "-在宁波").exit_code == 0
    return ledger


def test_export_register_xlsx_reads_back(cli, filled, tmp_path):
    path = tmp_path / "登记簿.xlsx"
    result = cli("export", "register", "--xlsx", path, "--mask-ids")
    assert result.exit_code == 0, result.stderr
    ws = load_workbook(path).active
    assert ws.title == "外出流动党员登记簿" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:5] == ["序号", "姓名", "性别", "身份证号", "联系电话"]
    first = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}
    assert first["身份证号"].value == parse.mask_id(make_id(serial=1)) and "*" in first["身份证号"].value
    assert first["联系电话"].value == "138****8001"
    assert first["外出时间"].value == datetime(2024, 3, 1) and first["外出时间"].is_date
    assert first["工作单位"].value == '=HYPERLINK("x")' and first["工作单位"].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.column_dimensions["D"].width >= 18


def test_export_all_has_a_sheet_per_kind_with_money_as_money(cli, filled, tmp_path):
    path = tmp_path / "all.xlsx"
    assert cli("export", "all", "--xlsx", path, "--as-of", "2026-06-30").exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames == ["台账设置", "党员名册", "外出流动党员登记簿", "外出变更", "活动证", "活动证年审", "报到记录", "党费交纳记录",
                               "思想汇报记录", "联系记录", "组织生活记录", "外来流动党员", "反馈记录", "临时党小组",
                               "临时党小组成员", "党费标准", "预备期处理", "审计问题清单"]
    dues = book["党费交纳记录"]
    assert dues.cell(2, 4).value == 6 and dues.cell(2, 4).number_format == "0.00"
    assert dues.cell(2, 7).value == "+123" and dues.cell(2, 7).data_type == "s"
    assert book["审计问题清单"].max_row > 1  # the audit of rules.py finds something in a fresh register
    assert book["思想汇报记录"].cell(2, 5).value == "-在宁波"


def test_export_as_of_leaves_out_later_records(cli, filled, tmp_path):
    path = tmp_path / "d.xlsx"
    assert cli("export", "dues", "--xlsx", path, "--as-of", "2024-04-01").exit_code == 0
    assert load_workbook(path).active.max_row == 1


def test_export_csv_opens_in_excel(cli, filled, tmp_path):
    result = cli("export", "all", "--csv", tmp_path / "out", "--mask-ids")
    assert result.exit_code == 0, result.stderr
    raw = (tmp_path / "out" / "外出流动党员登记簿.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["序号", "姓名", "性别", "身份证号"] and "*" in rows[1][3]
    assert "'=HYPERLINK(\"x\")" in rows[1]
    dues = list(csv.reader((tmp_path / "out" / "党费交纳记录.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert dues[1][3] == "6.00" and dues[1][6] == "'+123"


def test_export_needs_one_target(cli, ledger):
    assert cli("export", "register").exit_code == 2


def test_exported_register_imports_back_unchanged(cli, filled, tmp_path):
    path = tmp_path / "back.xlsx"
    assert cli("export", "register", "--xlsx", path).exit_code == 0
    result = cli("import", "outflows", path)
    assert result.exit_code == 0, result.stderr
    assert "新增 0 行，已在台账中 6 行" in result.stdout


def test_audit_xlsx(cli, filled, tmp_path):
    path = tmp_path / "audit.xlsx"
    cli("audit", "--xlsx", path, "--as-of", "2026-06-30")
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == ["代码", "名称", "级别", "姓名", "身份证号", "问题", "建议", "起始日期"]
    assert ws.max_row > 1 and str(ws.cell(2, 1).value).startswith("FP")


# ---------------------------------------------------------------- the parsers the sheets need


def test_excel_serials_and_month_forms():
    assert parse.parse_date(45352, "日") == date(2024, 3, 1)
    assert parse.parse_date(20240301, "日") == date(2024, 3, 1)
    assert parse.parse_date_or_month("2026年6月", "日") == date(2026, 6, 1)
    assert parse.parse_date_or_month("2026.3", "日") == date(2026, 3, 1)
    assert parse.parse_date_or_month("2026.3.1", "日") == date(2026, 3, 1)
    with pytest.raises(BadInput):
        parse.parse_date_or_month("三月", "日")
    with pytest.raises(BadInput):
        parse.parse_date(45352.5, "日")


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_excel_serial_round_trip(day):
    assert parse.excel_serial((day - date(1899, 12, 30)).days) == day


def test_a_city_ending_in_zhou_keeps_its_shi():
    assert parse.parse_destination("浙江省杭州市西湖区") == ("浙江省", "杭州市", "西湖区")
    assert parse.parse_destination("四川省凉山彝族自治州西昌市") == ("四川省", "凉山彝族自治州", "西昌市")


def test_a_register_with_returns_records_them_and_reimports_unchanged(cli, ledger, tmp_path):
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "外出时间", "流入地", "外出原因", "返回日期"])
    wb.active.append(["张伟", make_id(serial=1), "2023-03-01", "浙江省宁波市", "务工", "2023-12-20"])
    wb.active.append(["张伟", make_id(serial=1), "2024-03-01", "浙江省杭州市", "务工", None])
    wb.active.append(["李娜", make_id(serial=2, male=False), "2024-03-01", "浙江省宁波市", "务工", "2024-02-01"])
    wb.save(tmp_path / "r.xlsx")
    result = cli("import", "outflows", tmp_path / "r.xlsx", "--skip-invalid")
    assert "第 4 行：返回日期“2024-02-01”早于外出日期" in result.stderr.replace("\n", "")
    assert rows_of(ledger, "SELECT left_on, ended_on, end_kind FROM outflows ORDER BY id") == [
        ("2023-03-01", "2023-12-20", "returned"), ("2024-03-01", None, None)]
    assert rows_of(ledger, "SELECT name, status FROM members") == [("张伟", "away")]
    again = cli("import", "outflows", tmp_path / "r.xlsx", "--skip-invalid")
    assert "新增 0 行，已在台账中 2 行" in again.stdout


def test_exported_register_with_returns_fills_a_fresh_ledger(cli, filled, tmp_path, monkeypatch):
    assert cli("return", make_id(serial=2, male=False), "--date", "2024-06-01").exit_code == 0
    path = tmp_path / "reg.xlsx"
    assert cli("export", "register", "--xlsx", path).exit_code == 0
    monkeypatch.setenv("FLOWPARTY_DB", str(tmp_path / "fresh.db"))
    assert cli("init", "--branch", "青山村党支部", "--committee", "青山镇党委").exit_code == 0
    result = cli("import", "outflows", path)
    assert result.exit_code == 0, result.stderr
    assert rows_of(tmp_path / "fresh.db", "SELECT count(*) FROM members WHERE status = 'home'") == [(1,)]

