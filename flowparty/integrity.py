"""Is the ledger sound? SQLite's own checks and the dates no real history can have.

One place for these facts: `flowparty check` reports them, and the audit's FP901 turns them into findings.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from flowparty import labels as L


# The audit's FP901 reads every page (quick_check) only of a ledger up to this size (about 0.2 s of reading);
# a bigger one gets the foreign-key check and the dates on every audit and the page check from `flowparty check`.
AUDIT_PAGE_CHECK_BYTES = 64 * 1024 * 1024


def damage(conn: sqlite3.Connection, full: bool = True, pages: bool = True) -> list[str]:
    """SQLite's integrity_check (quick_check when not full; neither without pages) and foreign_key_check
    messages; empty when sound."""
    problems = []
    if pages:
        pragma = "integrity_check" if full else "quick_check"
        problems = [row[0] for row in conn.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
    problems += [f"{row[0]} #{row[1]} → {row[2]}" for row in conn.execute("PRAGMA foreign_key_check")]
    return problems


def size(conn: sqlite3.Connection) -> int:
    """The ledger's size in bytes, as SQLite counts its pages."""
    return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]


def describe_date(row: sqlite3.Row) -> str:
    """One impossible-date row (AsOf.impossible_dates) as a Chinese sentence naming the table, row and dates."""
    table = L.TABLE_NAMES.get(row["tbl"], row["tbl"])
    if row["other"] is None:
        return L.RULE_DATE_FUTURE.format(table=table, row=row["id"], column=row["col"], value=row["value"])
    return L.RULE_DATE_ORDER.format(table=table, row=row["id"], column=row["col"], value=row["value"],
                                    other=row["other"])


def date_problems(led, today: date) -> list[str]:
    """Every impossible date in the ledger, described."""
    from flowparty.asof import AsOf

    return [describe_date(row) for row in AsOf(led, today).impossible_dates(today)]
