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


def _ledger_at_m005_with_an_old_import(path):
    """A ledger before m006: an import of one member whose history has a row per record, as imports wrote it."""
    conn = sqlite3.connect(path)
    migrations = Migrations(db.MIGRATION_SET)
    for step in db.MIGRATIONS[:5]:
        migrations()(step)
    migrations.apply(Database(conn))
    conn.execute("INSERT INTO settings (key, value) VALUES ('branch', '青山村党支部'), ('since', '2025-01')")
    conn.execute("INSERT INTO transactions (id, at, command) VALUES (1, '2025-02-01T10:00:00', 'import members')")
    conn.execute("INSERT INTO import_batches (id, kind, file_name, file_hash, imported_at, rows_added)"
                 " VALUES (1, 'members', '名册.xlsx', 'abc', '2025-02-01T10:00:00', 1)")
    conn.execute("INSERT INTO members (id, id_number, name, birth_date, added_on, batch_id) VALUES (1, ?, '张三',"
                 " '1980-01-01', '2025-02-01', 1)", [make_id(serial=1)])
    for table, row_id, member_id, new in (("import_batches", 1, None, '{"id": 1, "file_name": "名册.xlsx"}'),
                                          ("members", 1, 1, '{"id": 1, "name": "张三"}')):
        conn.execute("INSERT INTO history (at, command, table_name, row_id, member_id, action, new_values, batch_id,"
                     " tx_id) VALUES ('2025-02-01T10:00:00', 'import members', ?, ?, ?, 'insert', ?, 1, 1)",
                     [table, row_id, member_id, new])
    conn.commit()
    conn.close()


def test_m006_gives_cards_and_transfers_a_batch_and_older_imports_still_read_and_undo(tmp_path, cli):
    path = tmp_path / "old.db"
    _ledger_at_m005_with_an_old_import(path)
    result = cli("--db", path, "history")
    assert result.exit_code == 0, result.stderr
    assert "新增党员信息：姓名 张三" in result.stdout.replace("\n", "")  # the older form, read as before
    conn = sqlite3.connect(path)
    for table in ("cards", "transfers"):
        assert "batch_id" in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    assert conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id DESC LIMIT 1").fetchone() == \
        ("m006_batched_inserts",)
    conn.close()
    shown = cli("--db", path, "history", "张三")
    assert shown.exit_code == 0 and "新增党员信息" in shown.stdout
    undone = cli("--db", path, "import", "undo")
    assert undone.exit_code == 0, undone.stderr
    assert "删除 1 行" in undone.stdout.replace("\n", "")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM members").fetchone() == (0,)
    assert conn.execute("SELECT undone_at IS NOT NULL FROM import_batches").fetchone() == (1,)
    conn.close()
