"""FP901 without a full scan: the audit keeps the dates (and, on a small ledger, the page check); the foreign-key
check belongs to `flowparty check`, and the audit says (info) when that has not passed since the last import or
merge, or for 30 days."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from flowparty import db, integrity, records, rules
from tests.ids import make_id


@pytest.fixture
def led(ledger):
    led = db.open_ledger(ledger)
    with led.transaction("test"):
        records.add_member(led, name="张三", id_number=make_id(serial=1), phone="13800000000")
    yield led
    led.close()


def _pragmas(led, monkeypatch, limit: int) -> tuple[list[str], list]:
    """The PRAGMAs an FP901 audit runs with the page-check limit set, and what it found."""
    monkeypatch.setattr(integrity, "AUDIT_PAGE_CHECK_BYTES", limit)
    seen: list[str] = []
    led.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("PRAGMA") else None)
    found = rules.run_audit(led, date(2025, 3, 1), select=["FP901"])
    led.conn.set_trace_callback(None)
    return seen, found


def _break_a_foreign_key(ledger) -> None:
    conn = sqlite3.connect(ledger)  # foreign keys are off in a bare connection: a damaged file, in effect
    conn.execute("INSERT INTO contacts (member_id, contacted_on, channel) VALUES (99, '2025-01-01', '电话')")
    conn.commit()
    conn.close()


def test_a_small_ledger_gets_the_page_check_on_every_audit_but_not_the_foreign_key_scan(led, monkeypatch):
    seen, found = _pragmas(led, monkeypatch, integrity.AUDIT_PAGE_CHECK_BYTES)
    assert "PRAGMA quick_check" in seen and "PRAGMA foreign_key_check" not in seen
    assert found == []


def test_a_broken_foreign_key_is_found_by_check_not_by_the_audit(led, ledger, monkeypatch, cli):
    _break_a_foreign_key(ledger)
    seen, found = _pragmas(led, monkeypatch, 0)
    assert "PRAGMA quick_check" not in seen and "PRAGMA foreign_key_check" not in seen
    assert found == []
    result = cli("check")
    assert result.exit_code == 3 and "联系中有一条记录" in result.stderr


def test_check_reads_every_page_whatever_the_size(led, monkeypatch):
    monkeypatch.setattr(integrity, "AUDIT_PAGE_CHECK_BYTES", 0)
    seen: list[str] = []
    led.conn.set_trace_callback(seen.append)
    assert integrity.damage(led.conn) == []
    assert "PRAGMA integrity_check" in seen and "PRAGMA foreign_key_check" in seen


def _fp901(cli) -> list[dict]:
    result = cli("audit", "--as-of", "2025-03-01", "--select", "FP901", "--json", "--fail-on", "never")
    return json.loads(result.stdout)


def test_the_audit_asks_for_check_after_an_import_until_check_passes(cli, ledger, tmp_path):
    assert _fp901(cli) == []  # a ledger made by init starts sound
    register = tmp_path / "名册.csv"
    register.write_text(f"姓名,身份证号\n张三,{make_id(serial=1)}\n", encoding="utf-8")
    assert cli("import", "members", register).exit_code == 0
    [due] = _fp901(cli)
    assert due["severity"] == "info" and due["member"] is None
    assert "自上次导入或合并" in due["message"] and "flowparty check" in due["hint"]
    assert cli("audit", "--as-of", "2025-03-01", "--fail-on", "warning").exit_code == 0  # info only
    counts = cli("audit", "--as-of", "2025-03-01", "--statistics").stdout
    assert re.search(r"FP901.*提示.*1", counts) and "错误" not in counts  # the level of what was found
    history = cli("history", "--json").stdout
    assert cli("check").exit_code == 0
    assert _fp901(cli) == []
    assert cli("history", "--json").stdout == history  # the check is not a change the clerk could undo
    assert "import" in cli("undo").stdout + cli("undo").stderr


def test_the_audit_asks_for_check_when_the_last_pass_is_over_30_days_old(cli, ledger):
    assert cli("check").exit_code == 0
    old = (datetime.now() - timedelta(days=31)).isoformat(timespec="seconds")
    conn = sqlite3.connect(ledger)
    conn.execute("UPDATE settings SET value = json_set(value, '$.at', ?) WHERE key = ?", [old, integrity.CHECK_PASSED])
    conn.commit()
    conn.close()
    [due] = _fp901(cli)
    assert due["severity"] == "info" and "已超过 30 天" in due["message"] and old.replace("T", " ") in due["message"]
    assert cli("check").exit_code == 0
    assert _fp901(cli) == []


def test_check_on_a_ledger_it_cannot_write_passes_and_says_the_pass_was_not_recorded(cli, ledger, monkeypatch):
    def read_only(conn, now):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(integrity, "record_pass", read_only)  # a read-only file (the tests may run as root)
    result = cli("check")
    assert result.exit_code == 0 and "台账完好" in result.stdout
    assert "未能把这次检查记入台账" in result.stderr and "readonly" in result.stderr
