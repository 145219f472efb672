"""Reliability round two (issue 13): foreign files are not ledgers, the right diagnosis, no write into damage,
failed output leaves nothing, private and atomic files, backups, durability, Ctrl-C."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowparty import backup, db, diagnose, export, files
from flowparty.errors import BadInput, LedgerError
from tests.test_faults import _counts, _ledger, _roster_csv

SCRIPT = Path(sys.executable).with_name("flowparty")
needs_script = pytest.mark.skipif(sys.platform == "win32" or not SCRIPT.exists(), reason="needs the console script")


def _run(*args, timeout=60) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("FLOWPARTY_DEBUG", None)
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)


def _flip_middle_page(path: Path) -> None:
    """One byte flipped in the header of a b-tree page in the middle of the file: real damage."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    page = len(data) // size // 2
    while data[page * size] not in (0x02, 0x05, 0x0A, 0x0D):  # the middle page may be free or overflow: find a b-tree one
        page += 1
    data[page * size + 3] ^= 0xFF
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------- 1. zeroed and foreign files


def _foreign_files(tmp_path: Path) -> list[Path]:
    empty = tmp_path / "z.db"
    empty.write_bytes(b"")
    other_empty = tmp_path / "other-empty.db"
    conn = sqlite3.connect(other_empty)
    conn.execute("PRAGMA user_version = 7")  # an empty SQLite file another program made
    conn.commit()
    conn.close()
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('x')")
    conn.commit()
    conn.close()
    return [empty, other_empty, other]


@pytest.mark.parametrize("args", [("check",), ("info",), ("member", "list"),
                                  ("record-contact", "张三"), ("backup",)])
def test_a_zeroed_or_foreign_file_is_not_a_ledger_and_stays_untouched(cli, tmp_path, args):
    for path in _foreign_files(tmp_path):
        before = path.read_bytes()
        result = cli("--db", path, *args)
        assert result.exit_code == 3, (path.name, result.stdout, result.stderr)
        assert "不是 flowparty 台账" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert path.read_bytes() == before
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


@needs_script
def test_check_on_a_zeroed_file_exits_3_through_the_console_script(tmp_path):
    path = tmp_path / "z.db"
    path.write_bytes(b"")
    result = _run("--db", path, "check")
    assert result.returncode == 3, result.stderr
    assert "不是 flowparty 台账" in result.stderr and "台账完好" not in result.stdout
    assert path.read_bytes() == b""


def test_a_reader_that_stops_reading_is_not_a_ledger_fault(tmp_path):
    """`flowparty audit --json | head`: the pipe closes before the output is written; nothing is said of the ledger."""
    path = tmp_path / "l.db"
    assert _run("--db", path, "init", "--branch", "青山村党支部", "--committee", "青山镇党委", "--code", "3301",
                "--since", "2025-01", "--province", "四川省", "--city", "南充市").returncode == 0
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte
    try:
        done = subprocess.run([str(SCRIPT), "--db", str(path), "audit", "--json", "--fail-on", "never"], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write)
    assert done.returncode == 1 and done.stderr == ""  # as click and Python tools end on a closed pipe


def test_init_still_refuses_to_replace_a_foreign_file(cli, tmp_path):
    path = tmp_path / "z.db"
    path.write_bytes(b"")
    assert cli("--db", path, "init", "--branch", "青山村党支部", "--committee", "青山镇党委").exit_code == 2
    assert path.read_bytes() == b""


# ---------------------------------------------------------------- 2. the right diagnosis


def _error_of(conn: sqlite3.Connection, sql: str, params=()) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        conn.execute(sql, params).fetchall()
    return caught.value


def test_a_full_disk_is_diagnosed_as_a_full_disk_not_damage(tmp_path):
    conn = sqlite3.connect(tmp_path / "full.db")
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0] + 1}")
    error = _error_of(conn, "INSERT INTO t VALUES (zeroblob(100000))")
    problem = diagnose.explain(error, tmp_path / "full.db")
    assert isinstance(problem, LedgerError) and problem.code == 3
    assert "磁盘已满" in problem.message and "备份" not in (problem.hint or "")
    disk = diagnose.explain(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "x.db")
    assert "磁盘已满" in disk.message and disk.code == 3


def test_a_readonly_ledger_is_diagnosed_as_no_write_permission(tmp_path):
    conn = sqlite3.connect(tmp_path / "ro.db")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA query_only = ON")
    problem = diagnose.explain(_error_of(conn, "INSERT INTO t VALUES (1)"), tmp_path / "ro.db")
    assert "没有写入权限" in problem.message and problem.code == 3
    readonly = diagnose.explain(sqlite3.OperationalError("attempt to write a readonly database"), tmp_path)
    assert "没有写入权限" in readonly.message
    for number in (errno.EACCES, errno.EROFS):
        assert "没有写入权限" in diagnose.explain(OSError(number, "x"), tmp_path / "a.db").message


def test_an_oversized_cell_is_bad_input(tmp_path):
    conn = sqlite3.connect(tmp_path / "big.db")
    conn.execute("CREATE TABLE t (x)")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1000)
    problem = diagnose.explain(_error_of(conn, "INSERT INTO t VALUES (?)", ["x" * 5000]), tmp_path / "big.db")
    assert isinstance(problem, BadInput) and problem.code == 2 and "单元格过大" in problem.message


def _first_read_error(conn: sqlite3.Connection) -> sqlite3.Error:
    """Read every row of every table (and index, through its order) until the damaged page raises."""
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        try:
            conn.execute(f"SELECT * FROM {table}").fetchall()
            conn.execute(f"SELECT * FROM {table} ORDER BY rowid DESC").fetchall()
        except sqlite3.Error as error:
            return error
    for (index, table) in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'").fetchall():
        try:
            conn.execute(f"SELECT * FROM {table} INDEXED BY {index}").fetchall()
        except sqlite3.Error as error:
            return error
    raise AssertionError("the flipped byte hurt no page that a read reaches")


def test_locked_is_locked_and_only_corruption_gets_the_restore_advice(tmp_path):
    locked = diagnose.explain(sqlite3.OperationalError("database is locked"), tmp_path / "a.db")
    assert "另一个程序" in locked.message and locked.code == 3
    path = tmp_path / "damaged.db"
    _ledger(path, "青山村党支部", 2000)
    _flip_middle_page(path)
    conn = sqlite3.connect(path)
    damaged = diagnose.explain(_first_read_error(conn), path)
    assert diagnose.is_corruption(damaged.__cause__ or sqlite3.DatabaseError("database disk image is malformed"))
    assert "损坏" in damaged.message and "备份" in damaged.hint and damaged.code == 3
    notadb = tmp_path / "text.db"
    notadb.write_bytes(b"hello, this is not sqlite" * 100)
    damaged = diagnose.explain(_error_of(sqlite3.connect(notadb), "SELECT * FROM sqlite_master"), notadb)
    assert "损坏" in damaged.message and "备份" in damaged.hint


def test_a_folder_given_as_the_ledger_is_named_a_folder(cli, tmp_path):
    for args in (("info",), ("check",), ("member", "list"), ("record-contact", "张三")):
        result = cli("--db", tmp_path, *args)
        assert result.exit_code == 3, result.stderr
        assert "这是一个文件夹" in result.stderr and "备份" not in result.stderr


def test_os_errors_on_a_path_the_user_typed_are_bad_input(tmp_path):
    missing = diagnose.explain_os(FileNotFoundError(errno.ENOENT, "x", str(tmp_path / "no" / "a.xlsx")),
                                  user_path=True)
    assert missing.code == 2 and "文件夹不存在" in missing.message
    full = diagnose.explain_os(OSError(errno.ENOSPC, "full"), tmp_path / "a.xlsx", user_path=True)
    assert full.code == 3 and "磁盘已满" in full.message


# ---------------------------------------------------------------- 3. no writes into damage


def test_a_big_write_first_sees_the_ledger_sound_and_marks_it_when_not(tmp_path):
    path = tmp_path / "ledger.db"
    _ledger(path, "青山村党支部", 2000)
    led = db.open_ledger(path)
    db.require_sound(led.conn, path)  # a sound ledger passes
    led.close()
    _flip_middle_page(path)
    conn = sqlite3.connect(path)
    with pytest.raises(LedgerError) as refused:
        db.require_sound(conn, path)
    conn.close()
    assert refused.value.code == 3 and db.damage_marker(path).exists()
    with pytest.raises(LedgerError) as marked:  # any later write is refused until a check passes
        db.open_ledger(path)
    assert "修复之前不能写入" in marked.value.message
    db.open_ledger(path, readonly=True).close()  # reading (check, export) still works
    db.clear_damaged(path)
    assert not db.damage_marker(path).exists()


def test_a_marked_ledger_refuses_small_writes_through_the_command_line(cli, ledger):
    db.mark_damaged(ledger, ["测试"])
    result = cli("member", "add", "--name", "张三", "--id", "110101198001010014")
    assert result.exit_code == 3 and "修复之前不能写入" in result.stderr


def test_backup_verifies_its_copy_and_never_calls_a_bad_one_good(tmp_path):
    path = tmp_path / "ledger.db"
    _ledger(path, "青山村党支部", 2000)
    _flip_middle_page(path)
    with pytest.raises(LedgerError) as refused:
        backup.take(path)
    assert refused.value.code == 3
    assert backup.newest(path) == [] and not list(backup.folder(path).glob(".*"))


# ---------------------------------------------------------------- 5, 6. output files: errors, privacy, atomicity


@pytest.mark.parametrize("args", [("export", "register", "--xlsx", "{missing}/out.xlsx"),
                                  ("export", "all", "--csv", "{file}/sub"),
                                  ("audit", "--xlsx", "{missing}/audit.xlsx"),
                                  ("report", "annual", "--year", "2025", "--xlsx", "{missing}/r.xlsx")])
def test_output_to_a_missing_folder_is_one_chinese_line_exit_2(cli, ledger, tmp_path, args):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    args = [a.format(missing=tmp_path / "no-such-folder", file=blocker) for a in args]
    result = cli(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert not (tmp_path / "no-such-folder").exists()


def test_import_errors_to_a_missing_folder_is_exit_2_and_leaves_nothing(cli, ledger, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,身份证号\n张三,123\n", encoding="utf-8")
    result = cli("import", "members", bad, "--errors", tmp_path / "no-such-folder" / "e.xlsx")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "no-such-folder").exists()


class _FullDisk:
    """A file whose writes fail with ENOSPC after `room` bytes, like a disk filling up mid-export."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def write(self, data):
        if self.real.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_full_disk_mid_workbook_is_exit_3_and_leaves_no_file_and_no_zip_noise(tmp_path, monkeypatch):
    real_fdopen = os.fdopen
    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode), 2000))
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: unraisable.append(info))
    sheet = export.Sheet("名册", ("姓名", "身份证号"), (export.TEXT, export.TEXT),
                         [[f"党员{i}", f"{i:018d}"] for i in range(5000)])
    target = tmp_path / "out.xlsx"
    with pytest.raises(LedgerError) as full:
        export.write_xlsx(target, [sheet])
    import gc
    gc.collect()
    assert "磁盘已满" in full.value.message and full.value.code == 3
    assert list(tmp_path.iterdir()) == [] and unraisable == []


def test_every_file_holding_id_numbers_is_private(cli, ledger, tmp_path):
    cli("member", "add", "--name", "张三", "--id", "110101198001010014")
    outputs = [tmp_path / "r.xlsx", tmp_path / "a.xlsx", tmp_path / "y.xlsx", tmp_path / "e.xlsx"]
    assert cli("export", "all", "--xlsx", outputs[0]).exit_code == 0
    assert cli("export", "all", "--csv", tmp_path / "csv").exit_code == 0
    assert cli("audit", "--xlsx", outputs[1], "--fail-on", "never").exit_code == 0
    assert cli("report", "annual", "--year", "2026", "--xlsx", outputs[2]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,身份证号\n张三,123\n", encoding="utf-8")
    cli("import", "members", bad, "--errors", outputs[3])
    written = outputs + sorted((tmp_path / "csv").glob("*.csv"))
    assert len(written) > 4
    for path in written:
        assert path.exists(), path
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert not list(tmp_path.glob(".*.tmp"))


def test_rewriting_an_export_keeps_it_private_and_replaces_it_whole(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    os.chmod(target, 0o644)
    with files.atomic_text(target, newline="") as out:
        out.write("姓名\n张三\n")
        assert target.read_text() == "old"  # nothing changes until the new file is whole
    assert target.read_text(encoding="utf-8") == "姓名\n张三\n" and target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(RuntimeError):
        with files.atomic_text(target) as out:
            out.write("half")
            raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "姓名\n张三\n" and sorted(tmp_path.iterdir()) == [target]


@needs_script
def test_an_export_killed_mid_write_never_replaces_a_good_file(tmp_path):
    ledger = _ledger(tmp_path / "ledger.db", "青山村党支部", 0)
    register = _roster_csv(tmp_path / "名册.csv", 10_000)
    assert _run("--db", ledger, "import", "members", register).returncode == 0
    target = tmp_path / "all.xlsx"
    started = time.monotonic()
    assert _run("--db", ledger, "export", "all", "--xlsx", target).returncode == 0
    seconds = time.monotonic() - started
    good = _workbook_data(target)
    csv_folder = tmp_path / "csv"
    assert _run("--db", ledger, "export", "all", "--csv", csv_folder).returncode == 0
    csv_good = {p.name: p.read_bytes() for p in csv_folder.glob("*.csv")}
    for fraction in (0.6, 0.95):
        for args, check in ((["export", "all", "--xlsx", target], lambda: _workbook_data(target) == good),
                            (["export", "all", "--csv", csv_folder],
                             lambda: {p.name: p.read_bytes() for p in csv_folder.glob("*.csv")} == csv_good)):
            process = subprocess.Popen([str(SCRIPT), "--db", str(ledger), *map(str, args)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(seconds * fraction)
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert check(), (args, fraction)  # the same data: the old file or a whole new one, never a half
    # the next export removes what the killed ones left
    assert _run("--db", ledger, "export", "all", "--xlsx", target).returncode == 0
    assert not list(tmp_path.glob(".*.tmp"))


def _workbook_data(path: Path) -> dict[str, bytes]:
    """A whole workbook's parts, apart from the file's own date (docProps): a truncated file fails to open."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None
        return {name: book.read(name) for name in book.namelist() if not name.startswith("docProps/")}


# ---------------------------------------------------------------- 7. backups


def test_a_killed_backup_leaves_a_hidden_part_that_the_next_backup_removes(tmp_path):
    path = _ledger(tmp_path / "ledger.db", "青山村党支部", 10)
    where = backup.folder(path)
    where.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = where / f".{path.stem}-20260101-000000-000000-manual.db.{dead.pid}.part"
    stale.write_bytes(b"\0" * 1000)
    assert backup.newest(path) == []  # never counted as a copy
    made = backup.take(path)
    assert not stale.exists() and backup.newest(path) == [made]


def test_pruning_keeps_ten_copies_per_reason(tmp_path):
    path = _ledger(tmp_path / "ledger.db", "青山村党支部", 1)
    before_real_import = backup.take(path, "import")
    for _ in range(12):
        backup.take(path, "migrate")
    imports = [p for p in backup.newest(path) if backup.reason_of(p) == "import"]
    assert imports == [before_real_import]
    assert len([p for p in backup.newest(path) if backup.reason_of(p) == "migrate"]) == backup.KEEP


def test_a_copy_taken_just_before_commit_is_the_ledger_before_the_import(tmp_path):
    """Under WAL a separate read-only connection sees the last committed state: the copy backup.before_commit
    takes inside the import's open transaction holds none of its rows."""
    from flowparty import records
    from tests.ids import make_id

    path = _ledger(tmp_path / "ledger.db", "青山村党支部", 5)
    led = db.open_ledger(path)
    with led.transaction("import"):
        for i in range(50):
            records.add_member(led, name=f"新党员{i}", id_number=make_id(birth="19900101", serial=i))
        copy = backup.before_commit(path, "import")
    led.close()
    assert _counts(copy)["members"] == 5 and _counts(path)["members"] == 55


# ---------------------------------------------------------------- 8. durability


def test_writable_ledgers_sync_fully_readonly_ones_do_not_write(ledger):
    led = db.open_ledger(ledger)
    assert led.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    led.close()


# ---------------------------------------------------------------- 9. Ctrl-C


@needs_script
def test_ctrl_c_during_an_import_says_nothing_was_written_and_exits_130(tmp_path):
    ledger = _ledger(tmp_path / "ledger.db", "青山村党支部", 0)
    before = _counts(ledger)
    register = _roster_csv(tmp_path / "名册.csv", 30_000)
    process = subprocess.Popen([str(SCRIPT), "--db", str(ledger), "import", "members", str(register)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    time.sleep(1.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the import finished before the interrupt")
    assert process.returncode == 130, stderr
    assert "已中断，本次命令没有写入任何内容" in stderr and "Traceback" not in stderr
    assert _counts(ledger) == before
