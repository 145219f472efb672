"""flowparty demo: its own file, a realistic branch recorded through the domain, never over a real ledger."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest

from flowparty import records
from flowparty.parse import birth_date_from_id, parse_id_number
from tests.conftest import snapshot

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What the demo branch is built to show in the audit (see flowparty/demo.py AWAY and Village).
EXPECTED_FINDINGS = {"FP101", "FP102", "FP103", "FP104", "FP201", "FP202", "FP301", "FP302", "FP303", "FP304",
                     "FP401", "FP402", "FP501", "FP502", "FP601", "FP602"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a folder of its own: the demo writes flowparty-demo.db in the current folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_demo_writes_its_own_file_not_flowparty_db(cli, here, ledger_path):
    result = cli("demo")
    assert result.exit_code == 0, result.stderr
    demo_file = here / "flowparty-demo.db"
    assert demo_file.exists()
    assert not ledger_path.exists()
    assert str(demo_file) in result.stdout.replace("\n", "")
    assert "flowparty --db flowparty-demo.db member list" in result.stdout
    assert rows(demo_file, "SELECT value FROM settings WHERE key = 'demo'") == [("1",)]


def test_demo_branch_has_the_expected_people(cli, here):
    assert cli("demo").exit_code == 0
    path = here / "flowparty-demo.db"
    assert dict(rows(path, "SELECT status, count(*) FROM members GROUP BY status")) == {
        "home": 15, "away": 17, "inflow": 2, "transferred": 1}
    assert rows(path, "SELECT count(*) FROM members WHERE category = 'probationary'") == [(2,)]
    provinces = {p for (p,) in rows(path, "SELECT province FROM outflows WHERE ended_on IS NULL")}
    assert {"浙江省", "广东省", "江苏省", "四川省", "新疆维吾尔自治区"} <= provinces
    assert rows(path, "SELECT count(*) FROM outflows WHERE ended_on IS NULL AND province = '四川省'") == [(2,)]
    returned = rows(path, "SELECT inspected_on IS NOT NULL FROM outflows WHERE end_kind = 'returned' ORDER BY id")
    assert returned == [(1,), (0,)]
    assert rows(path, "SELECT verified_on IS NOT NULL, branch IS NOT NULL FROM inflows ORDER BY id") == [(1, 1), (0, 0)]
    assert rows(path, "SELECT g.city, count(*) FROM groups g JOIN group_members gm ON gm.group_id = g.id"
                      " GROUP BY g.id") == [("宁波市", 3)]
    for table in ("cards", "card_reviews", "checkins", "dues", "reports", "contacts", "org_life", "feedback",
                  "transfers", "history"):
        assert rows(path, f"SELECT count(*) FROM {table}")[0][0] > 0, table
    settings = dict(rows(path, "SELECT key, value FROM settings"))
    assert (settings["home_province"], settings["home_city"]) == ("四川省", "南充市")
    since = date.fromisoformat(settings["since"] + "-01")
    assert 23 <= (date.today() - since).days // 30 <= 25


def test_every_member_has_a_valid_id_from_the_right_place(cli, here):
    assert cli("demo").exit_code == 0
    members = rows(here / "flowparty-demo.db", "SELECT id_number, birth_date, status FROM members")
    assert len({m[0] for m in members}) == len(members) == 35
    for id_number, birth, status in members:
        assert parse_id_number(id_number) == id_number
        assert birth_date_from_id(id_number).isoformat() == birth
        assert id_number.startswith("511321") or status == "inflow"


def test_no_date_after_today(cli, here):
    assert cli("demo").exit_code == 0
    path = here / "flowparty-demo.db"
    today = date.today().isoformat()
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(names, row):
                    if column != "probation_ends" and isinstance(value, str) and ISO_DAY.match(value):
                        assert value <= today, (table, column, value)
    finally:
        conn.close()
    assert cli("--db", path, "check").exit_code == 0


def test_demo_audit_finds_a_realistic_mix(cli, here):
    result = cli("demo")
    assert "审计结果" in result.stdout
    audit = cli("--db", "flowparty-demo.db", "audit", "--json")
    assert audit.exit_code == 1  # errors in the demo branch, as in a real one
    assert {f["code"] for f in json.loads(audit.stdout)} == EXPECTED_FINDINGS


@pytest.mark.parametrize("today", [date(2025, 3, 1), date(2024, 2, 29), date(2025, 12, 31), date(2026, 7, 15)])
def test_demo_holds_together_on_any_day(cli, here, monkeypatch, today):
    """The story is relative to today: month ends, leap days and year ends give the same mix of findings."""
    monkeypatch.setattr(records, "today", lambda: today)
    assert cli("demo").exit_code == 0
    audit = cli("--db", "flowparty-demo.db", "audit", "--json")
    assert {f["code"] for f in json.loads(audit.stdout)} == EXPECTED_FINDINGS
    latest = rows(here / "flowparty-demo.db", "SELECT max(paid_on), max(reported_on) FROM dues, reports")[0]
    assert max(latest) <= today.isoformat()


def test_rerunning_replaces_the_demo(cli, here):
    assert cli("demo").exit_code == 0
    path = here / "flowparty-demo.db"
    added = cli("--db", path, "member", "add", "--name", "临时测试", "--id", "11010519491231002X")
    assert added.exit_code == 0, added.stderr
    assert rows(path, "SELECT count(*) FROM members")[0][0] == 36
    again = cli("demo")
    assert again.exit_code == 0, again.stderr
    assert rows(path, "SELECT count(*) FROM members")[0][0] == 35
    assert not list(here.glob(".*building*"))


def test_refuses_to_overwrite_a_real_ledger(cli, ledger, ledger_path):
    before = snapshot(ledger_path)
    result = cli("--db", ledger_path, "demo")
    assert result.exit_code == 2
    assert "不是示例台账" in result.stderr
    assert snapshot(ledger_path) == before


def test_refuses_to_overwrite_a_file_that_is_no_ledger(cli, here):
    other = here / "flowparty-demo.db"
    other.write_bytes(b"my own notes")
    result = cli("demo")
    assert result.exit_code == 2
    assert other.read_bytes() == b"my own notes"


def test_explicit_db_is_used(cli, here, ledger_path):
    result = cli("--db", here / "sub" / "village.db", "demo")
    assert result.exit_code == 0, result.stderr
    assert (here / "sub" / "village.db").exists()
    assert not (here / "flowparty-demo.db").exists() and not ledger_path.exists()


def test_read_commands_work_on_the_demo(cli, here):
    assert cli("demo").exit_code == 0
    listing = cli("--db", "flowparty-demo.db", "member", "list", "--all")  # 35 members: more than the first 20
    assert listing.exit_code == 0 and "王建国" in listing.stdout and "梁春花" in listing.stdout
    away = cli("--db", "flowparty-demo.db", "member", "list", "--status", "away", "--json")
    assert len(json.loads(away.stdout)) == 17
    shown = cli("--db", "flowparty-demo.db", "member", "show", "王建国")
    assert shown.exit_code == 0 and "宁波市" in shown.stdout
    info = cli("--db", "flowparty-demo.db", "info", "--json")
    assert info.exit_code == 0
    assert json.loads(info.stdout)["members_by_status"]["away"] == 17


def test_demo_is_fast(cli, here):
    started = time.perf_counter()
    assert cli("demo").exit_code == 0
    assert time.perf_counter() - started < 2
