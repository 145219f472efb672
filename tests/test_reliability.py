"""What the ledger promises: private files, consistent backups, a refused newer ledger, read-only reads, `check`."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from flowparty import backup, db, records
from tests.ids import make_id
from tests.test_migrations import _ledger_at_m001


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add(cli, serial: int = 1, name: str = "张三") -> str:
    id_number = make_id(serial=serial)
    result = cli("member", "add", "--name", name, "--id", id_number, "--phone", "13800138000")
    assert result.exit_code == 0, result.stderr
    return id_number


def test_ledger_its_journal_files_and_backups_are_owner_only(cli, ledger, tmp_path):
    led = db.open_ledger(ledger)  # keep a connection open so the -wal and -shm files exist
    try:
        _add(cli)
        for suffix in ("", "-wal", "-shm"):
            assert _mode(Path(f"{ledger}{suffix}")) == 0o600, suffix
    finally:
        led.close()
    assert cli("backup").exit_code == 0
    assert cli("backup", tmp_path / "copy.db").exit_code == 0
    assert _mode(backup.folder(ledger)) == 0o700
    assert [_mode(p) for p in backup.newest(ledger)] == [0o600]
    assert _mode(tmp_path / "copy.db") == 0o600


def test_backup_is_a_consistent_copy_taken_while_another_window_writes(cli, ledger, tmp_path):
    _add(cli, 1)
    writer = sqlite3.connect(ledger, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO settings (key, value) VALUES ('half-written', 'x')")
    result = cli("backup", tmp_path / "copy.db")  # must not wait for, nor copy, the open transaction
    writer.execute("COMMIT")
    writer.close()
    assert result.exit_code == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM members").fetchone()[0] == 1
    assert copy.execute("SELECT count(*) FROM settings WHERE key = 'half-written'").fetchone()[0] == 0
    copy.close()
    assert not list(tmp_path.glob(".*.part"))


def test_backup_never_overwrites_and_needs_a_ledger(cli, ledger, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    result = cli("backup", target)
    assert result.exit_code == 2 and "已存在" in result.stderr
    assert target.read_bytes() == b"keep me"
    assert cli("--db", tmp_path / "none.db", "backup", tmp_path / "x.db").exit_code == 3
    assert not (tmp_path / "x.db").exists()
    result = cli("backup", target / "inside-a-file.db")
    assert result.exit_code == 2 and "无法在此写入备份" in result.stderr


def test_backup_into_a_folder_names_the_copy_by_time(cli, ledger, tmp_path):
    folder = tmp_path / "u盘"
    folder.mkdir()
    result = cli("backup", folder)
    assert result.exit_code == 0, result.stderr
    [copy] = folder.iterdir()
    assert copy.name.startswith("ledger-") and copy.name.endswith("-manual.db")


def test_automatic_backups_keep_the_newest_few_and_every_manual_one(ledger):
    manual = backup.take(ledger)
    made = [backup.automatic(ledger, "import") for _ in range(backup.KEEP + 3)]
    kept = backup.newest(ledger)
    assert manual in kept
    assert sorted(p for p in kept if p != manual) == sorted(made[-backup.KEEP:])


def test_an_older_ledger_is_backed_up_before_it_migrates(tmp_path, cli):
    path = tmp_path / "old.db"
    _ledger_at_m001(path)
    before = _digest(path)
    result = cli("--db", path, "info")
    assert result.exit_code == 0, result.stderr
    [copy] = backup.newest(path)
    assert copy.name.endswith("-migrate.db") and _mode(copy) == 0o600
    conn = sqlite3.connect(copy)
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")] == ["m001_initial"]
    assert conn.execute("SELECT name FROM members").fetchall() == [("张三",)]
    conn.close()
    assert _digest(path) != before  # the ledger itself moved forward
    assert cli("--db", path, "info").exit_code == 0
    assert len(backup.newest(path)) == 1  # a current ledger is not copied again


@pytest.mark.parametrize("command", [("info",), ("member", "list"), ("record-contact", "张三"), ("backup",)])
def test_a_ledger_from_a_newer_flowparty_is_refused_and_left_alone(cli, ledger, command):
    _add(cli)
    conn = sqlite3.connect(ledger)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('flowparty', 'm099_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = _digest(ledger)
    result = cli(*command)
    if command == ("backup",):  # a copy of a newer ledger is harmless and may be what the clerk needs
        assert result.exit_code == 0
        return
    assert result.exit_code == 3
    assert "更新版本" in result.stderr and "Traceback" not in result.stderr
    assert _digest(ledger) == before
    assert backup.newest(ledger) == []


def test_read_only_commands_cannot_write(cli, ledger):
    _add(cli)
    led = db.open_ledger(ledger, readonly=True)
    try:
        assert led.scalar("SELECT count(*) FROM members") == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            led.conn.execute("DELETE FROM members")
    finally:
        led.close()


def test_read_only_commands_work_on_a_read_only_ledger_file(cli, ledger):
    id_number = _add(cli)
    ledger.chmod(0o400)
    try:
        for command in (("info",), ("member", "list"), ("member", "show", id_number), ("check",)):
            result = cli(*command)
            assert result.exit_code == 0, (command, result.stderr)
    finally:
        ledger.chmod(0o600)


def test_check_a_sound_ledger(cli, ledger):
    _add(cli)
    result = cli("check")
    assert result.exit_code == 0, result.stderr
    assert "台账完好" in result.stdout


def test_check_names_an_impossible_date(cli, ledger):
    _add(cli)
    conn = sqlite3.connect(ledger)
    conn.execute("INSERT INTO contacts (member_id, contacted_on, channel) VALUES (1, '2999-01-01', '电话')")
    conn.commit()
    conn.close()
    result = cli("check")
    assert result.exit_code == 1
    assert "2999-01-01" in result.stdout + result.stderr and "晚于今天" in result.stdout


def test_check_a_broken_foreign_key_says_how_to_restore(cli, ledger):
    _add(cli)
    assert cli("backup").exit_code == 0
    conn = sqlite3.connect(ledger)  # foreign keys are off in a bare connection: a damaged file, in effect
    conn.execute("INSERT INTO contacts (member_id, contacted_on, channel) VALUES (99, '2025-01-01', '电话')")
    conn.commit()
    conn.close()
    result = cli("check")
    assert result.exit_code == 3
    assert "联系中有一条记录" in result.stderr and "从备份恢复" in result.stderr
    assert str(backup.newest(ledger)[0]) in result.stderr.replace("\n", "")


def test_check_a_corrupted_file_exits_3_with_the_restore_advice(cli, ledger):
    led = db.open_ledger(ledger)
    with led.transaction("test"):
        for serial in range(40):
            records.add_member(led, name=f"党员{serial}", id_number=make_id(serial=serial), phone="13800138000")
    led.close()
    data = bytearray(ledger.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[3 * page:len(data) - page] = b"\xa5" * (len(data) - 4 * page)
    ledger.write_bytes(bytes(data))
    result = cli("check")
    assert result.exit_code == 3
    assert "从备份恢复" in result.stderr and "没有找到自动备份" in result.stderr
    assert "Traceback" not in result.stderr


def test_exports_mask_ids_and_phones_and_never_hold_a_formula(cli, ledger, tmp_path):
    import openpyxl

    id_number = make_id(serial=7)
    assert cli("member", "add", "--name", "=HYPERLINK(\"http://x\",\"点我\")", "--id", id_number,
               "--phone", "13800138000").exit_code == 0
    result = cli("register-outflow", id_number, "--to", "浙江省 宁波市 北仑区", "--reason", "务工",
                 "--employer", "+SUM(1,2)", "--date", "2025-03-01")
    assert result.exit_code == 0, result.stderr
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    assert cli("export", "register", "--xlsx", masked, "--mask-ids").exit_code == 0
    assert cli("export", "register", "--xlsx", full).exit_code == 0
    assert cli("export", "register", "--csv", tmp_path / "csv", "--mask-ids").exit_code == 0

    def cells(path):
        book = openpyxl.load_workbook(path)
        return [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]

    for cell in cells(masked) + cells(full):
        assert cell.data_type != "f", cell.value
    masked_text = " ".join(str(c.value) for c in cells(masked))
    assert id_number not in masked_text and "13800138000" not in masked_text
    assert id_number in " ".join(str(c.value) for c in cells(full))
    csv_text = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "csv").iterdir())
    assert id_number not in csv_text and "13800138000" not in csv_text
    assert "\n=" not in csv_text and ",=" not in csv_text and ",+" not in csv_text


def test_an_import_is_preceded_by_an_automatic_backup_but_a_dry_run_is_not(cli, ledger, tmp_path):
    register = tmp_path / "名册.csv"
    register.write_text(f"姓名,身份证号\n张三,{make_id(serial=1)}\n", encoding="utf-8")
    assert cli("import", "members", register, "--dry-run").exit_code == 0
    assert backup.newest(ledger) == []
    assert cli("import", "members", register).exit_code == 0
    [copy] = backup.newest(ledger)
    assert copy.name.endswith("-import.db") and _mode(copy) == 0o600
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 0  # the ledger as it was before
    conn.close()
