"""Consistent copies of the ledger: on demand (`flowparty backup`), and automatic before a migration or an import.

A copy is taken with SQLite's backup API from a read-only connection, so it is a snapshot of one committed
state even while another window writes. It is written to a hidden temporary name and renamed into place, so a
crash mid-copy never leaves a half copy that looks whole. Copies are readable by their owner only (0600) and
live in a folder beside the ledger, `<ledger>.backups/`; only the newest KEEP automatic copies are kept.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from flowparty import labels as L
from flowparty.errors import BadInput, LedgerError
from flowparty.files import alive
from flowparty.ledgerfile import BUSY_TIMEOUT_MS, applied_migrations

KEEP = 10
MANUAL = "manual"


def folder(ledger: Path) -> Path:
    """Where the automatic copies of this ledger live."""
    return ledger.with_name(ledger.name + ".backups")


def _part_name(dest: Path) -> Path:
    """The hidden name a copy is written under: starts with '.', so newest() never lists it, and carries the
    writing process's id, so a later backup can tell a dead one's leftover from a copy still being written."""
    return dest.with_name(f".{dest.name}.{os.getpid()}.part")


def clean_stale_parts(where: Path, ledger: Path | None = None) -> list[Path]:
    """Remove the half-written copies a killed backup left in `where` (of this ledger when given)."""
    removed = []
    if not where.is_dir():
        return removed
    pattern = f".{ledger.stem}-*.part" if ledger is not None else ".*.part"
    for part in where.glob(pattern):
        pid_text = part.name[:-len(".part")].rsplit(".", 1)[-1]
        if pid_text.isdigit() and alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        try:
            part.unlink()
            removed.append(part)
        except OSError:
            pass
    return removed


FULL_VERIFY_BYTES = 64 * 1024 * 1024  # bigger copies get quick_check: every page read, indexes not re-matched


def verify(path: Path) -> list[str]:
    """SQLite's integrity_check of a copy (quick_check past FULL_VERIFY_BYTES: on a 600 MB ledger 4 s instead
    of 18 s, and it still reads every page); empty when the copy is good."""
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        pragma = "integrity_check" if path.stat().st_size <= FULL_VERIFY_BYTES else "quick_check"
        return [row[0] for row in conn.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        conn.close()


def _require_ledger(ledger: Path) -> None:
    """Only a flowparty ledger is backed up: an empty or foreign file is refused (exit 3), untouched."""
    from flowparty import diagnose

    if ledger.is_dir():
        raise diagnose.explain(IsADirectoryError(21, "Is a directory", str(ledger)), ledger)
    foreign = LedgerError(L.LEDGER_FOREIGN.format(path=ledger), L.LEDGER_FOREIGN_HINT)
    if ledger.stat().st_size == 0:
        raise foreign
    try:
        conn = sqlite3.connect(f"file:{ledger.as_posix()}?mode=ro", uri=True)
        try:
            applied = applied_migrations(conn)
            if not applied:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise diagnose.explain(error, ledger) from error
    if not applied:
        raise foreign


def copy(ledger: Path, dest: Path) -> Path:
    """Copy the ledger to dest (which must not exist) as one consistent snapshot, verified by SQLite's
    integrity check before it gets its name; returns dest. A bad copy is never called good (exit 3)."""
    if not ledger.exists():
        raise LedgerError(L.LEDGER_MISSING.format(path=ledger), L.LEDGER_MISSING_HINT)
    _require_ledger(ledger)
    if dest.exists():
        raise BadInput(L.BACKUP_EXISTS.format(path=dest), L.BACKUP_EXISTS_HINT)
    part = _part_name(dest)
    try:
        dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a folder made here is private too
        clean_stale_parts(dest.parent, ledger)
        part.unlink(missing_ok=True)
        os.close(os.open(part, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    except OSError as error:
        if error.errno == errno.ENOSPC:
            from flowparty import diagnose
            raise diagnose.explain_os(error, dest) from error
        raise BadInput(L.BACKUP_CANNOT_WRITE.format(path=dest, detail=error.strerror)) from error
    try:
        source = sqlite3.connect(f"file:{ledger.as_posix()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        target = sqlite3.connect(part)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
            source.close()
        problems = verify(part)
        if problems:
            raise LedgerError(L.BACKUP_UNSOUND.format(path=ledger, detail="；".join(problems[:3])),
                              L.LEDGER_DAMAGED_HINT)
        with open(part, "rb+") as done:
            os.fsync(done.fileno())
        os.replace(part, dest)
    except sqlite3.DatabaseError as error:
        from flowparty import diagnose
        if diagnose.is_corruption(error):
            raise LedgerError(L.BACKUP_FAILED.format(path=ledger, detail=error), L.LEDGER_DAMAGED_HINT) from error
        raise diagnose.explain(error, dest) from error
    except OSError as error:
        from flowparty import diagnose
        raise diagnose.explain_os(error, dest) from error
    finally:
        part.unlink(missing_ok=True)
    return dest


def take(ledger: Path, reason: str = MANUAL, dest: Path | None = None) -> Path:
    """A copy named by time and reason in the backups folder (or in dest when it is a folder, or at dest)."""
    name = f"{ledger.stem}-{datetime.now():%Y%m%d-%H%M%S-%f}-{reason}{ledger.suffix or '.db'}"
    if dest is None:
        dest = folder(ledger) / name
    elif dest.is_dir():
        dest = dest / name
    made = copy(ledger, dest)
    if reason != MANUAL:
        _prune(ledger)
    return made


def automatic(ledger: Path, reason: str) -> Path:
    """The copy taken before a migration ('migrate') or an import ('import')."""
    return take(ledger, reason)


def before_commit(ledger: Path, reason: str = "import") -> Path:
    """The automatic copy of an import (or merge, or bulk undo) taken just before its COMMIT, so an attempt
    that fails takes no copy. Call it while the command's write transaction is still open: the copy is read
    through a separate read-only connection, which under WAL sees the last committed state, i.e. the ledger as
    it was before this command."""
    return take(ledger, reason)


def newest(ledger: Path) -> list[Path]:
    """This ledger's copies in the backups folder, newest first (hidden half-written copies never count)."""
    where = folder(ledger)
    if not where.is_dir():
        return []
    return sorted((p for p in where.glob(f"{ledger.stem}-*") if not p.name.startswith(".")
                   and not p.name.endswith(".part")),
                  key=lambda p: p.name, reverse=True)


def reason_of(copy_path: Path) -> str:
    """The reason a copy was taken for, from its name (…-YYYYmmdd-HHMMSS-ffffff-REASON.db)."""
    return copy_path.stem.rsplit("-", 1)[-1]


def _prune(ledger: Path) -> None:
    """Keep the newest KEEP automatic copies of each reason (import, migrate, …), so copies of one kind can
    never push out the other's; copies the clerk asked for are never removed."""
    seen: dict[str, int] = {}
    for old in newest(ledger):
        reason = reason_of(old)
        if reason == MANUAL:
            continue
        seen[reason] = seen.get(reason, 0) + 1
        if seen[reason] > KEEP:
            old.unlink(missing_ok=True)
