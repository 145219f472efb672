"""merge: a township ledger holding two branches' ledgers, each member with their branch; merging again only updates."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from flowparty import db, records, report
from flowparty.parse import Month, parse_destination
from tests.conftest import snapshot
from tests.ids import make_id

D = date
ZHANG, LI, WANG, ZHAO = (make_id(serial=n) for n in (1, 2, 3, 4))


def _init(cli, path, branch, code, province, city):
    result = cli("--db", path, "init", "--branch", branch, "--committee", "青山镇党委", "--code", code,
                 "--since", "2025-01", "--province", province, "--city", city)
    assert result.exit_code == 0, result.stderr


def _away(led, name, id_number, to, left):
    member = led.get("members", records.add_member(led, name=name, id_number=id_number))
    records.register_outflow(led, member, destination=parse_destination(to), reason="务工", left_on=left)
    return records.reload(led, member)


@pytest.fixture
def branches(cli, tmp_path):
    """青山村 (四川 南充) with 张三 away to 浙江 and a card; 绿水村 (浙江 宁波) with 李四 away to 杭州 and 王五 at home."""
    a, b, town = tmp_path / "青山村.db", tmp_path / "绿水村.db", tmp_path / "镇.db"
    _init(cli, a, "青山村党支部", "3301", "四川省", "南充市")
    _init(cli, b, "绿水村党支部", "3302", "浙江省", "宁波市")
    _init(cli, town, "青山镇党委", "3300", "四川省", "南充市")
    led = db.open_ledger(a)
    with led.transaction("test"):
        zhang = _away(led, "张三", ZHANG, "浙江省 宁波市 北仑区", D(2025, 3, 1))
        records.issue_card(led, zhang, issued_on=D(2025, 3, 1))
        records.record_dues(led, zhang, periods=[Month(2025, 3), Month(2025, 4)], amount_fen=400,
                            paid_on=D(2025, 4, 30))
        records.record_report(led, zhang, reported_on=D(2025, 6, 1))
    led.close()
    led = db.open_ledger(b)
    with led.transaction("test"):
        _away(led, "李四", LI, "浙江省 杭州市 西湖区", D(2025, 5, 1))
        records.add_member(led, name="王五", id_number=WANG)
    led.close()
    return a, b, town


def _rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _data(path):
    """Every table but the history and the branches' last-merged time: what merging again must not change."""
    tables = snapshot(path)
    tables.pop("history")
    tables.pop("transactions")  # the history's commands: a merge that only notes the time is still a command
    tables["branches"] = [row[:-1] for row in tables["branches"]]
    return tables


def test_two_branches_each_member_with_its_branch(cli, branches):
    a, b, town = branches
    result = cli("--db", town, "merge", a, b)
    assert result.exit_code == 0, result.stderr
    assert "已合并 青山村党支部" in result.stdout and "已合并 绿水村党支部" in result.stdout
    assert _rows(town, "SELECT m.name, b.name FROM members m JOIN branches b ON b.id = m.branch_id ORDER BY m.name") == [
        ("张三", "青山村党支部"), ("李四", "绿水村党支部"), ("王五", "绿水村党支部")]
    assert _rows(town, "SELECT count(*) FROM outflows") == [(2,)]
    assert _rows(town, "SELECT c.card_no, m.name FROM cards c JOIN members m ON m.id = c.member_id") == [
        ("330120250001", "张三")]
    assert _rows(town, "SELECT count(*), sum(amount_fen) FROM dues") == [(2, 400)]
    assert _rows(town, "SELECT count(*) FROM history WHERE command = 'merge' AND table_name = 'members'") == [(3,)]


def test_merging_again_changes_nothing_and_never_duplicates(cli, branches):
    a, b, town = branches
    before_a, before_b = snapshot(a), snapshot(b)
    assert cli("--db", town, "merge", a).exit_code == 0
    assert cli("--db", town, "merge", a, b).exit_code == 0
    once = _data(town)
    result = cli("--db", town, "merge", a, b)
    assert result.exit_code == 0, result.stderr
    assert "新增 0 条，更新 0 条，删除 0 条" in result.stdout
    assert _data(town) == once
    assert snapshot(a) == before_a and snapshot(b) == before_b     # the branches' own files are only read


def test_merging_again_brings_the_township_up_to_date(cli, branches):
    a, b, town = branches
    assert cli("--db", town, "merge", a, b).exit_code == 0
    led = db.open_ledger(a)
    with led.transaction("test"):
        zhang = records.find_member(led, ZHANG)
        records.record_report(led, zhang, reported_on=D(2025, 12, 1))
        records.return_home(led, zhang, returned_on=D(2025, 12, 10), inspected=True)
        led.delete("dues", led.scalar("SELECT id FROM dues WHERE period = '2025-04'"))   # as an import undo does
    led.close()
    result = cli("--db", town, "merge", a)
    assert result.exit_code == 0, result.stderr
    assert "新增 1 条，更新 3 条，删除 1 条" in result.stdout   # the report; outflow, card, member; the dues month
    assert _rows(town, "SELECT count(*) FROM reports") == [(2,)]
    assert _rows(town, f"SELECT status FROM members WHERE id_number = '{ZHANG}'") == [("home",)]
    assert _rows(town, "SELECT period FROM dues") == [("2025-03",)]


def test_a_member_who_moved_between_branches_is_one_member_of_the_new_branch(cli, branches):
    a, b, town = branches
    led = db.open_ledger(a)
    with led.transaction("test"):
        zhao = led.get("members", records.add_member(led, name="赵六", id_number=ZHAO))
        records.transfer_out(led, zhao, to_org="绿水村党支部", transferred_on=D(2025, 9, 1))
    led.close()
    led = db.open_ledger(b)
    with led.transaction("test"):
        records.add_member(led, name="赵六", id_number=ZHAO, added_on=D(2025, 9, 2))
    led.close()
    for order in ((a, b), (b, a)):
        result = cli("--db", town, "merge", *order)
        assert result.exit_code == 0, result.stderr
        assert _rows(town, "SELECT m.status, b.name FROM members m JOIN branches b ON b.id = m.branch_id"
                           f" WHERE id_number = '{ZHAO}'") == [("home", "绿水村党支部")]
        assert _rows(town, "SELECT count(*) FROM transfers") == [(1,)]
    led = db.open_ledger(town, readonly=True)
    try:
        by_branch = {row["branch"]: row for row in report.annual(led, 2025, by_branch=True)["branches"]}
    finally:
        led.close()
    assert by_branch["青山村党支部"]["transfers_out"] == 1      # the transfer is the old branch's record
    assert by_branch["绿水村党支部"]["transfers_out"] == 0


def test_a_member_active_in_two_branches_is_refused(cli, branches):
    a, b, town = branches
    led = db.open_ledger(b)
    with led.transaction("test"):
        records.add_member(led, name="张三", id_number=ZHANG)
    led.close()
    before = snapshot(town)
    result = cli("--db", town, "merge", a, b)
    assert result.exit_code == 2
    assert ZHANG in result.stderr and "青山村党支部" in result.stderr and "绿水村党支部" in result.stderr
    assert snapshot(town) == before


def test_merge_refuses_what_is_not_a_branch_ledger(cli, branches, tmp_path):
    a, b, town = branches
    assert cli("--db", town, "merge", town).exit_code == 2
    assert cli("--db", town, "merge", tmp_path / "nowhere.db").exit_code == 3
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert cli("--db", town, "merge", other).exit_code == 2
    assert cli("--db", town, "merge", a).exit_code == 0
    assert cli("--db", b, "merge", town).exit_code == 2        # a township is not merged into a branch


def test_annual_report_by_branch_uses_each_branchs_home(cli, branches):
    a, b, town = branches
    assert cli("--db", town, "merge", a, b).exit_code == 0
    led = db.open_ledger(town, readonly=True)
    try:
        data = report.annual(led, 2025, by_branch=True)
    finally:
        led.close()
    assert (data["outflow_total"], data["cross_province"], data["cross_city"]) == (2, 1, 1)
    by_branch = {row["branch"]: row for row in data["branches"]}
    assert list(by_branch) == ["青山村党支部", "绿水村党支部"]
    assert (by_branch["青山村党支部"]["cross_province"], by_branch["青山村党支部"]["card_holders"]) == (1, 1)
    assert (by_branch["绿水村党支部"]["cross_city"], by_branch["绿水村党支部"]["cross_province"]) == (1, 0)
    assert by_branch["青山村党支部"]["dues_months_paid"] == 2
    result = cli("--db", town, "report", "annual", "--year", "2025", "--by-branch", "--json")
    assert result.exit_code == 0, result.stderr
    assert [row["branch"] for row in json.loads(result.stdout)["branches"]] == ["青山村党支部", "绿水村党支部"]


def test_audit_on_the_township_finds_both_branches_members(cli, branches):
    from flowparty.rules import run_audit

    a, b, town = branches
    assert cli("--db", town, "merge", a, b).exit_code == 0
    assert cli("--db", town, "merge", a, b).exit_code == 0
    led = db.open_ledger(town, readonly=True)
    try:
        names = {led.get("members", f.member_id)["name"] for f in run_audit(led, D(2025, 12, 31)) if f.member_id}
    finally:
        led.close()
    assert {"张三", "李四"} <= names


def test_an_older_branch_ledger_is_merged_without_being_upgraded(cli, branches, tmp_path):
    from tests.test_migrations import _ledger_at_m001

    a, b, town = branches
    old = tmp_path / "old.db"
    _ledger_at_m001(old)
    result = cli("--db", town, "merge", old)
    assert result.exit_code == 0, result.stderr
    assert _rows(town, "SELECT m.name, b.name FROM members m JOIN branches b ON b.id = m.branch_id") == [
        ("张三", "青山村党支部")]
    assert _rows(old, "SELECT count(*) FROM _sqlite_migrations") == [(1,)]


def test_a_new_ledger_under_a_merged_branchs_name_is_refused_unless_replacing(cli, branches, tmp_path):
    a, b, town = branches
    assert cli("--db", town, "merge", a, b).exit_code == 0
    fresh = tmp_path / "青山村-新.db"
    _init(cli, fresh, "青山村党支部", "3301", "四川省", "南充市")
    led = db.open_ledger(fresh)
    with led.transaction("test"):
        records.add_member(led, name="赵六", id_number=ZHAO)
    led.close()
    before = snapshot(town)
    result = cli("--db", town, "merge", fresh)
    assert result.exit_code == 2 and "--replace" in result.stderr
    assert snapshot(town) == before
    result = cli("--db", town, "merge", "--replace", fresh)
    assert result.exit_code == 0, result.stderr
    assert _rows(town, "SELECT m.name FROM members m JOIN branches b ON b.id = m.branch_id"
                       " WHERE b.name = '青山村党支部'") == [("赵六",)]
    assert _rows(town, "SELECT count(*) FROM cards") == [(0,)]
    assert _rows(town, "SELECT count(*) FROM members") == [(3,)]     # 李四 and 王五 of 绿水村 untouched


def test_township_report_has_a_table_and_a_sheet_per_branch(cli, branches, tmp_path):
    import openpyxl

    a, b, town = branches
    assert cli("--db", town, "merge", a, b).exit_code == 0
    xlsx = tmp_path / "镇年报.xlsx"
    result = cli("--db", town, "report", "annual", "--year", "2025", "--by-branch", "--xlsx", xlsx)
    assert result.exit_code == 0, result.stderr
    assert "青山镇党委 2025 年流动党员情况统计" in result.stdout and "表七 各支部汇总" in result.stdout
    sheet = openpyxl.load_workbook(xlsx)["各支部"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["青山村党支部"][:4] == (1, 1, 0, 1)     # away, 跨省, 省内跨市, holding a card
    assert rows["绿水村党支部"][:4] == (1, 0, 1, 0)


def test_audit_by_branch_names_each_findings_branch(cli, branches):
    a, b, town = branches
    assert cli("--db", town, "merge", a, b).exit_code == 0
    result = cli("--db", town, "audit", "--as-of", "2025-12-31", "--by-branch", "--json", "--fail-on", "never")
    assert result.exit_code == 0, result.stderr
    by_name = {f["member"]["name"]: f["branch"] for f in json.loads(result.stdout) if f["member"]}
    assert by_name["张三"] == "青山村党支部" and by_name["李四"] == "绿水村党支部"
    table = cli("--db", town, "audit", "--as-of", "2025-12-31", "--by-branch", "--fail-on", "never")
    assert table.exit_code == 0, table.stderr
    assert "各支部审计结果（截至 2025-12-31）" in table.stdout
    assert "青山村党支部" in table.stdout and "绿水村党支部" in table.stdout
