"""A ledger written by the first schema opens under the current one with its data kept."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database, Migrations

from flowparty import db
from tests.ids import make_id


def _ledger_at_m001(path):
    """A ledger as the first release wrote it: only m001 applied, one member and a dues payment in it."""
    conn = sqlite3.connect(path)
    migrations = Migrations(db.MIGRATION_SET)
    migrations()(db.m001_initial)
    migrations.apply(Database(conn))
    conn.execute("INSERT INTO settings (key, value) VALUES ('branch', '青山村党支部'), ('since', '2025-01')")
    conn.execute("INSERT INTO members (id, id_number, name, birth_date, added_on) VALUES (1, ?, '张三', '1980-01-01',"
                 " '2025-01-01')", [make_id(serial=1)])
    conn.execute("INSERT INTO dues (member_id, period, amount_fen, paid_on) VALUES (1, '2025-01', 200, '2025-01-31')")
    conn.commit()
    conn.close()


def test_m001_ledger_upgrades_with_data_kept(tmp_path, cli):
    path = tmp_path / "old.db"
    _ledger_at_m001(path)
    led = db.open_ledger(path)
    try:
        applied = [r[0] for r in led.all("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == [step.__name__ for step in db.MIGRATIONS]
        member = led.one("SELECT * FROM members WHERE id = 1")
        assert (member["name"], member["branch_id"]) == ("张三", None)
        assert led.scalar("SELECT amount_fen FROM dues WHERE member_id = 1") == 200
        assert led.scalar("SELECT count(*) FROM branches") == 0
        assert led.scalar("SELECT count(*) FROM dues_standards") == 0
        assert led.all("PRAGMA foreign_key_check") == []
    finally:
        led.close()
    result = cli("--db", path, "info", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["schema_version"] == len(db.MIGRATIONS)


def test_a_new_ledger_has_the_year_end_tables(cli, ledger):
    conn = sqlite3.connect(ledger)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = {r[1] for r in conn.execute("PRAGMA table_info(members)")}
    conn.close()
    assert {"branches", "merged_rows", "dues_standards"} <= tables
    assert "branch_id" in columns
