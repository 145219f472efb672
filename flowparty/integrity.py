"""Is the ledger sound? SQLite's own checks and the dates no real history can have.

One place for these facts: `flowparty check` reports them, and the audit's FP901 turns them into findings.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from flowparty import labels as L


def damage(conn: sqlite3.Connection, full: bool = True) -> list[str]:
    """SQLite's integrity_check (quick_check when not full) and foreign_key_check messages; empty when sound."""
    pragma = "integrity_check" if full else "quick_check"
    problems = [row[0] for row in conn.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
    problems += [f"{row[0]} #{row[1]} → {row[2]}" for row in conn.execute("PRAGMA foreign_key_check")]
    return problems


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
