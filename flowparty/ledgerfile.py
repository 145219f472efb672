"""What marks a file as a flowparty ledger, read without opening it as one.

Both the ledger (`db`, which backs a ledger up before migrating it) and its copies (`backup`, which refuses
to copy a file that is not a ledger) need these, so they live below both and neither imports the other.
"""

from __future__ import annotations

import sqlite3

MIGRATION_SET = "flowparty"
BUSY_TIMEOUT_MS = 10_000


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations this file has had, oldest first; none for a file that is not a ledger."""
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", [MIGRATION_SET]
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [row[0] for row in rows]
