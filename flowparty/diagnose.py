"""The right diagnosis for a failure of SQLite or the file system, with the ledger's path.

A full disk, a read-only file or folder, a --db that is a folder, an oversized cell or a busy ledger is not
damage: telling the clerk to restore an older backup there would lose data. Only SQLite's own corruption codes
(SQLITE_CORRUPT, SQLITE_NOTADB) get the "damaged, restore from backup" advice. The command layer's error
boundary calls `explain(error, path)` for every sqlite3.DatabaseError and OSError and raises what it returns.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from flowparty import labels as L
from flowparty.errors import BadInput, FlowpartyError, LedgerError

# SQLite's primary result codes (the low byte of an extended code)
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_TOOBIG, SQLITE_NOTADB = 18, 26

LOW_SPACE_BYTES = 4 * 1024 * 1024  # an I/O error with less free space than this beside the ledger is a full disk


class LedgerEnvironmentError(LedgerError):
    """The ledger is sound but its surroundings refuse: a full disk, no write permission, a folder: exit 3."""


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _free_bytes(path: Path) -> int | None:
    for place in (path if path.is_dir() else path.parent, Path.cwd()):
        try:
            return shutil.disk_usage(place).free
        except OSError:
            continue
    return None


def _disk_full(path: Path) -> LedgerEnvironmentError:
    return LedgerEnvironmentError(L.DIAG_DISK_FULL.format(path=path), L.DIAG_DISK_FULL_HINT)


def _readonly(path: Path) -> LedgerEnvironmentError:
    return LedgerEnvironmentError(L.DIAG_READONLY.format(path=path), L.DIAG_READONLY_HINT)


def _folder(path: Path) -> LedgerEnvironmentError:
    return LedgerEnvironmentError(L.DIAG_IS_FOLDER.format(path=path), L.DIAG_IS_FOLDER_HINT)


def is_corruption(error: BaseException) -> bool:
    """SQLite itself says the file is damaged (or not a database at all)."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = _code(error)
    if code is not None:
        return code in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(error)
    return "malformed" in text or "not a database" in text


def explain(error: BaseException, path: Path | str | None = None) -> FlowpartyError:
    """The FlowpartyError that tells the clerk what really happened (exit 3 for the ledger and its
    surroundings, exit 2 for input that is too big); raise it `from error`."""
    if isinstance(error, FlowpartyError):
        return error
    path = Path(path) if path else Path("")
    if isinstance(error, sqlite3.Error):
        return _explain_sqlite(error, path)
    if isinstance(error, OSError):
        return explain_os(error, path)
    return LedgerError(L.LEDGER_DAMAGED.format(path=path, detail=error), L.LEDGER_DAMAGED_HINT)


def _explain_sqlite(error: sqlite3.Error, path: Path) -> FlowpartyError:
    code = _code(error)
    text = str(error)
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or (code is None and ("locked" in text or "busy" in text)):
        return LedgerError(L.LEDGER_LOCKED.format(path=path), L.LEDGER_LOCKED_HINT)
    if code == SQLITE_FULL or "database or disk is full" in text:
        return _disk_full(path)
    if code == SQLITE_TOOBIG or "too big" in text:
        return BadInput(L.DIAG_TOO_BIG, L.DIAG_TOO_BIG_HINT)
    if code in (SQLITE_READONLY, SQLITE_PERM) or "readonly database" in text:
        return _readonly(path)
    if is_corruption(error):
        return LedgerError(L.LEDGER_DAMAGED.format(path=path, detail=error), L.LEDGER_DAMAGED_HINT)
    if path.is_dir():
        return _folder(path)
    if code == SQLITE_CANTOPEN or "unable to open" in text:
        if path.exists() and not os.access(path, os.R_OK):
            return _readonly(path)
        if not path.parent.is_dir() or (not path.exists() and not os.access(path.parent, os.W_OK)):
            return _readonly(path) if path.parent.is_dir() else LedgerError(
                L.LEDGER_MISSING.format(path=path), L.LEDGER_MISSING_HINT)
        return _readonly(path)  # -wal/-shm cannot be made beside the ledger: a read-only folder
    if code == SQLITE_IOERR or "disk I/O error" in text:
        free = _free_bytes(path)
        if free is not None and free < LOW_SPACE_BYTES:
            return _disk_full(path)
        if path.exists() and not os.access(path.parent, os.W_OK):
            return _readonly(path)
        return LedgerEnvironmentError(L.DIAG_IO_ERROR.format(path=path, detail=error), L.DIAG_IO_ERROR_HINT)
    return LedgerError(L.LEDGER_DAMAGED.format(path=path, detail=error), L.LEDGER_DAMAGED_HINT)


def explain_os(error: OSError, path: Path | str | None = None, user_path: bool = False) -> FlowpartyError:
    """An OSError: a full disk is exit 3; a folder, a missing folder or no permission is exit 3 for the ledger
    and exit 2 (BadInput) for a path the user typed for an output file (user_path=True)."""
    where = Path(error.filename) if getattr(error, "filename", None) else Path(path or "")
    number = error.errno
    if number in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return _disk_full(where)
    if user_path:
        if number == errno.ENOENT:
            return BadInput(L.DIAG_NO_FOLDER.format(path=where), L.DIAG_NO_FOLDER_HINT)
        if number in (errno.EACCES, errno.EPERM, errno.EROFS):
            return BadInput(L.DIAG_CANNOT_WRITE.format(path=where), L.DIAG_READONLY_HINT)
        if number in (errno.EISDIR,):
            return BadInput(L.DIAG_IS_FOLDER_OUT.format(path=where), L.DIAG_IS_FOLDER_HINT)
        if number in (errno.ENOTDIR,):
            return BadInput(L.DIAG_NO_FOLDER.format(path=where), L.DIAG_NO_FOLDER_HINT)
        return BadInput(L.DIAG_CANNOT_WRITE.format(path=where) + f"（{error.strerror}）")
    if number in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _readonly(where)
    if number == errno.EISDIR:
        return _folder(where)
    if number == errno.ENOENT:
        return LedgerError(L.LEDGER_MISSING.format(path=where), L.LEDGER_MISSING_HINT)
    return LedgerEnvironmentError(L.DIAG_IO_ERROR.format(path=where, detail=error.strerror or error),
                                  L.DIAG_IO_ERROR_HINT)
