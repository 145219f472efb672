"""report annual: every figure checked against a small ledger built by hand, as JSON, as tables and as a workbook.

The branch is at home in 四川省 南充市 and complete since 2025-01; the report is for 2025, a finished year, so
it sees the ledger as of 2025-12-31 and records made in 2026 must not count.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import openpyxl
import pytest

from flowparty import db, dues, records, report
from flowparty.parse import Month, parse_destination
from tests.ids import make_id

D = date


def _member(led, name, serial, **kw):
    return led.get("members", records.add_member(led, name=name, id_number=make_id(serial=serial), **kw))


def _away(led, member, to, left, **kw):
    records.register_outflow(led, member, destination=parse_destination(to), reason="务工", left_on=left, **kw)
    return records.reload(led, member)


def build_branch(path):
    """Seven members whose 2025 is written out in the comments next to the figures they make."""
    led = db.open_ledger(path)
    with led.transaction("test"):
        # 张三: away all year from March, 跨省, card issued, reviewed, checked in; 42.00 a month standard,
        # paid Mar–Aug in full and Sep below it; Oct–Dec paid only in 2026.
        zhang = _away(led, _member(led, "张三", 1, occupation="工人"), "浙江省 宁波市 北仑区", D(2025, 3, 1),
                      unit_type="非公有制企业")
        records.issue_card(led, zhang, issued_on=D(2025, 3, 1))
        records.review_card(led, zhang, reviewed_on=D(2025, 12, 1))
        records.check_in(led, zhang, org="宁波某党委", checked_in_on=D(2025, 4, 1), verified=True)
        dues.set_standard(led, zhang, year=2025, kind="salary", base_fen=420_000, set_on=D(2025, 1, 1))
        records.record_dues(led, zhang, periods=[Month(2025, m) for m in range(3, 9)], amount_fen=6 * 4_200,
                            paid_on=D(2025, 8, 31))
        records.record_dues(led, zhang, periods=[Month(2025, 9)], amount_fen=2_000, paid_on=D(2025, 9, 30))
        records.record_dues(led, zhang, periods=[Month(2025, m) for m in (10, 11, 12)], amount_fen=3 * 4_200,
                            paid_on=D(2026, 1, 10))
        for day in (D(2025, 6, 30), D(2025, 12, 20), D(2026, 1, 5)):
            records.record_report(led, zhang, reported_on=day)
        for day in (D(2025, 5, 1), D(2025, 11, 1)):
            records.record_org_life(led, zhang, held_on=day)
        # 李四: away from June, 省内跨市, no unit type or occupation recorded, no card; quarterly payer, paid Q3.
        li = _away(led, _member(led, "李四", 2, quarterly=True), "四川省 成都市", D(2025, 6, 10))
        records.record_dues(led, li, periods=[Month(2025, m) for m in (7, 8, 9)], amount_fen=600,
                            paid_on=D(2025, 10, 5))
        # 王五: away since 2024 in the home city, returned in July and the card inspected: due Jan–Jun.
        wang = _away(led, _member(led, "王五", 3, occupation="农牧渔民"), "四川省 南充市 顺庆区", D(2024, 5, 1))
        records.issue_card(led, wang, issued_on=D(2024, 5, 1))
        records.return_home(led, wang, returned_on=D(2025, 7, 15), inspected=True)
        # 赵六: away from February, destination unknown (不掌握流向), a student: due Feb–Dec.
        _away(led, _member(led, "赵六", 4, occupation="学生"), "不详", D(2025, 2, 1))
        # 孙七: away from January to 广东, relationship transferred out in August: due Jan–Jul.
        sun = _away(led, _member(led, "孙七", 5), "广东省 深圳市", D(2025, 1, 10))
        records.transfer_out(led, sun, to_org="深圳某党支部", transferred_on=D(2025, 8, 1))
        # 周八: a member from elsewhere who arrived in April.
        records.register_inflow(led, name="周八", id_number=make_id(serial=6), origin_org="外省某村党支部",
                                arrived_on=D(2025, 4, 1))
        # 吴九: probationary at home, converted in October; leaves only in 2026.
        wu = _member(led, "吴九", 7, joined=D(2024, 10, 1), probationary=True)
        records.convert(led, wu, decided_on=D(2025, 10, 5))
        _away(led, records.reload(led, wu), "浙江省 杭州市", D(2026, 2, 1))
    return led


EXPECTED = {
    "year": 2025, "as_of": "2025-12-31",
    "outflow_total": 3,              # 张三, 李四, 赵六
    "cross_province": 1, "cross_city": 1, "within_city": 0, "destination_unknown": 1,
    "card_holders": 1,
    "inflow_total": 1,
    "new_outflows": 4,               # 张三, 李四, 赵六, 孙七 (王五 left in 2024, 吴九 in 2026)
    "returns": 1, "transfers_out": 1,
    "cards_issued": 1, "cards_reviewed": 1, "cards_inspected": 1,
    "checked_in": 1, "checkin_rate": 0.3333,
    "dues_months_due": 10 + 7 + 6 + 11 + 7,
    "dues_months_paid": 7 + 3,
    "dues_amount_fen": 6 * 4_200 + 2_000 + 600, "dues_amount": "278.00",
    "dues_expected_fen": 10 * 4_200, "dues_months_below_standard": 1,
    "reports": 2, "org_life": 2, "org_life_members": 1,
    "conversions": {"converted": 1, "extended": 0, "cancelled": 0},
    "unit_type_unrecorded": 1, "occupation_unrecorded": 1,
}


@pytest.fixture
def branch(ledger):
    led = build_branch(ledger)
    yield led
    led.close()


def test_every_figure_matches_the_ledger(branch):
    data = report.annual(branch, 2025)
    assert {key: data[key] for key in EXPECTED} == EXPECTED
    assert data["by_unit_type"]["非公有制企业"] == 1
    assert data["by_unit_type"]["其他"] == 2            # 李四 (type not recorded) and 赵六 (不掌握流向)
    assert data["by_unit_type"]["不掌握流向"] == 1      # of which: 赵六
    assert sum(data["by_unit_type"].values()) - data["by_unit_type"]["不掌握流向"] == data["outflow_total"]
    assert {k: v for k, v in data["by_occupation"].items() if v} == {"工人": 1, "学生": 1, "其他职业": 1}


def test_findings_are_the_audits_as_of_year_end(branch):
    from flowparty.rules import run_audit

    data = report.annual(branch, 2025)
    findings = run_audit(branch, D(2025, 12, 31))
    assert data["findings"] == dict(sorted(Counter(f.code for f in findings).items()))
    assert data["findings"].get("FP101") == 2            # 李四 and 赵六 are away without a card
    assert data["lost_contact"] == len({f.member_id for f in findings if f.code == "FP302"})


def test_json_has_the_contract_keys(cli, branch):
    result = cli("report", "annual", "--year", "2025", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("year", "outflow_total", "new_outflows", "returns", "transfers_out", "cards_issued", "cards_reviewed",
                "cards_inspected", "checkin_rate", "inflow_total", "dues_months_due", "dues_months_paid",
                "dues_amount", "reports", "lost_contact", "findings"):
        assert key in data
    assert data["outflow_total"] == 3 and data["dues_amount"] == "278.00"


def test_rich_tables_read_like_the_year_end_forms(cli, branch):
    result = cli("report", "annual", "--year", "2025")
    assert result.exit_code == 0, result.stderr
    for text in ("青山村党支部 2025 年流动党员情况统计（截至 2025-12-31）", "表一 外出流动党员", "跨省流动",
                 "持《流动党员活动证》", "表五 党费交纳", "278.00", "33.3%", "其中：不掌握流向", "FP101 外出未持活动证"):
        assert text in result.stdout
    assert "1 名外出党员未登记单位类型" in result.stderr


def test_workbook_has_one_sheet_per_table(cli, branch, tmp_path):
    path = tmp_path / "年报.xlsx"
    result = cli("report", "annual", "--year", "2025", "--xlsx", path)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["外出流动党员", "按单位类型", "按原职业", "管理工作", "党费", "审计问题"]
    sheet = book["外出流动党员"]
    assert sheet["A1"].value.startswith("青山村党支部 2025 年")
    assert [c.value for c in sheet[2]] == ["项目", "数量"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["年末外出流动党员"] == 3 and rows["其中：跨省流动"] == 1
    assert {r[0]: r[1] for r in book["党费"].iter_rows(min_row=3, values_only=True)}["应交党费（人月）"] == 41
    assert sheet.freeze_panes == "A3"
    findings = {r[0]: r[1] for r in book["审计问题"].iter_rows(min_row=3, values_only=True)}
    assert findings["FP101 外出未持活动证"] == 2


def test_workbook_cells_are_never_formulas(cli, tmp_path):
    path, xlsx = tmp_path / "f.db", tmp_path / "f.xlsx"
    assert cli("--db", path, "init", "--branch", "=HYPERLINK(\"x\")", "--committee", "+镇党委").exit_code == 0
    assert cli("--db", path, "report", "annual", "--year", "2025", "--xlsx", xlsx).exit_code == 0
    cell = openpyxl.load_workbook(xlsx)["外出流动党员"]["A1"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_a_future_year_is_refused(cli, ledger):
    result = cli("report", "annual", "--year", "2999")
    assert result.exit_code == 2 and "2999" in result.stderr


def test_the_running_year_stops_today(cli, ledger):
    today = records.today()
    result = cli("report", "annual", "--year", today.year, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == today.isoformat()


def test_occupation_is_one_of_the_statistics_categories(cli, ledger):
    assert cli("member", "add", "--name", "张三", "--id", make_id(serial=1), "--occupation", "农民").exit_code == 0
    led = db.open_ledger(ledger, readonly=True)
    assert led.scalar("SELECT occupation FROM members") == "农牧渔民"
    led.close()
    result = cli("member", "add", "--name", "李四", "--id", make_id(serial=2), "--occupation", "宇航员")
    assert result.exit_code == 2 and "宇航员" in result.stderr


def test_the_running_year_counts_months_due_as_the_audit_does(ledger):
    """While the year runs, a month is due once it has ended, a quarterly payer's once the quarter has ended."""
    today = records.today()
    led = db.open_ledger(ledger)
    with led.transaction("test"):
        _away(led, _member(led, "张三", 1), "浙江省 宁波市", D(today.year, 1, 1))
        _away(led, _member(led, "李四", 2, quarterly=True), "浙江省 宁波市", D(today.year, 1, 1))
    data = report.annual(led, today.year)
    led.close()
    assert data["dues_months_due"] == (today.month - 1) + (today.month - 1) // 3 * 3
