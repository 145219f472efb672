"""FP901 on a big ledger: the audit keeps the foreign-key check and the dates, and leaves the page-by-page
check to `flowparty check` once the file is larger than integrity.AUDIT_PAGE_CHECK_BYTES."""

from __future__ import annotations

import sqlite3
from datetime import date

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


def test_a_small_ledger_gets_the_page_check_on_every_audit(led, monkeypatch):
    seen, found = _pragmas(led, monkeypatch, integrity.AUDIT_PAGE_CHECK_BYTES)
    assert "PRAGMA quick_check" in seen and "PRAGMA foreign_key_check" in seen
    assert found == []


def test_a_big_ledger_still_gets_the_foreign_key_check_but_not_the_page_check(led, ledger, monkeypatch):
    conn = sqlite3.connect(ledger)  # foreign keys are off in a bare connection: a damaged file, in effect
    conn.execute("INSERT INTO contacts (member_id, contacted_on, channel) VALUES (99, '2025-01-01', '电话')")
    conn.commit()
    conn.close()
    seen, found = _pragmas(led, monkeypatch, 0)
    assert "PRAGMA quick_check" not in seen and "PRAGMA foreign_key_check" in seen
    assert [f.code for f in found] == ["FP901"] and "联系中有一条记录" in found[0].message


def test_check_reads_every_page_whatever_the_size(led, monkeypatch):
    monkeypatch.setattr(integrity, "AUDIT_PAGE_CHECK_BYTES", 0)
    seen: list[str] = []
    led.conn.set_trace_callback(seen.append)
    assert integrity.damage(led.conn) == []
    assert "PRAGMA integrity_check" in seen
