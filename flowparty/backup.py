"""Consistent copies of the ledger: on demand (`flowparty backup`), and automatic before a migration or an import.

A copy is taken with SQLite's backup API from a read-only connection, so it is a snapshot of one committed
state even while another window writes. It is written to a hidden temporary name and renamed into place, so a
crash mid-copy never leaves a half copy that looks whole. Copies are readable by their owner only (0600) and
live in a folder beside the ledger, `<ledger>.backups/`; only the newest KEEP automatic copies are kept.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from flowparty import labels as L
from flowparty.errors import BadInput, LedgerError

KEEP = 10
MANUAL = "manual"


def folder(ledger: Path) -> Path:
    """Where the automatic copies of this ledger live."""
    return ledger.with_name(ledger.name + ".backups")


def copy(ledger: Path, dest: Path) -> Path:
    """Copy the ledger to dest (which must not exist) as one consistent snapshot; returns dest."""
    from flowparty.db import BUSY_TIMEOUT_MS

    if not ledger.exists():
        raise LedgerError(L.LEDGER_MISSING.format(path=ledger), L.LEDGER_MISSING_HINT)
    if dest.exists():
        raise BadInput(L.BACKUP_EXISTS.format(path=dest), L.BACKUP_EXISTS_HINT)
    part = dest.with_name(f".{dest.name}.part")
    try:
        dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a folder made here is private too
        part.unlink(missing_ok=True)
        os.close(os.open(part, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    except OSError as error:
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
        os.replace(part, dest)
    except sqlite3.DatabaseError as error:
        raise LedgerError(L.BACKUP_FAILED.format(path=ledger, detail=error), L.LEDGER_DAMAGED_HINT) from error
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
    """The copy taken before a migration ('migrate') or an import ('import'): call it before the first write."""
    return take(ledger, reason)


def newest(ledger: Path) -> list[Path]:
    """This ledger's copies in the backups folder, newest first."""
    where = folder(ledger)
    if not where.is_dir():
        return []
    return sorted((p for p in where.glob(f"{ledger.stem}-*") if not p.name.startswith(".")),
                  key=lambda p: p.name, reverse=True)


def _prune(ledger: Path) -> None:
    """Keep the newest KEEP automatic copies; copies the clerk asked for are never removed."""
    automatic_copies = [p for p in newest(ledger) if not p.stem.endswith(f"-{MANUAL}")]
    for old in automatic_copies[KEEP:]:
        old.unlink(missing_ok=True)
