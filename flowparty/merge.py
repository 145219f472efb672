"""A township ledger: several branches' ledgers merged into one, each member kept with the branch it belongs to.

Each branch keeps its own file; the township merges them (`merge LEDGER...`). Every merged row remembers
where it came from (merged_rows: branch, table, id in the branch's file), so merging the same branch again
brings the township up to date — new rows inserted, changed rows updated, rows the branch took back (an
import undo) deleted — and never duplicates. The writes go through Ledger, so the township's history shows them.

A person is one member of the township. When the same 身份证号 is on two branches' rolls, the branch where
the member is not transferred out owns the member row and both branches' records attach to it; two branches
that both hold the member as active is a mistake to settle between them, and the merge refuses it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flowparty import labels as L
from flowparty.db import MIGRATIONS, Ledger, _connect
from flowparty.ledgerfile import MIGRATION_SET, applied_migrations
from flowparty.errors import BadInput, LedgerError

# each table with the columns that point at rows of other merged tables, in an order that puts parents first
TABLES: tuple[tuple[str, dict[str, str]], ...] = (
    ("members", {}),
    ("outflows", {"member_id": "members"}),
    ("outflow_changes", {"outflow_id": "outflows", "member_id": "members"}),
    ("cards", {"member_id": "members", "outflow_id": "outflows"}),
    ("card_reviews", {"card_id": "cards"}),
    ("checkins", {"member_id": "members", "outflow_id": "outflows"}),
    ("dues", {"member_id": "members"}),
    ("reports", {"member_id": "members"}),
    ("contacts", {"member_id": "members"}),
    ("org_life", {"member_id": "members"}),
    ("inflows", {"member_id": "members"}),
    ("feedback", {"member_id": "members"}),
    ("conversions", {"member_id": "members"}),
    ("transfers", {"member_id": "members"}),
    ("groups", {"leader_id": "members"}),
    ("group_members", {"group_id": "groups", "member_id": "members"}),
    ("dues_standards", {"member_id": "members"}),
)
NOT_COPIED = {"id", "batch_id", "branch_id"}  # import batches and branches belong to the file they were made in


@dataclass
class Shared:
    """A 身份证号 that this branch's ledger and another branch's both hold (SPEC §8: named in the summary)."""

    id_number: str
    name: str
    first: str  # the branch that held the member before this merge
    first_status: str
    second: str  # the branch being merged
    second_status: str

    @property
    def linked(self) -> bool:
        """An outflow of one branch that is an inflow of the other: the same person, one member here."""
        return {self.first_status, self.second_status} == {"away", "inflow"}


@dataclass
class Tally:
    added: int = 0
    updated: int = 0
    removed: int = 0
    same: int = 0
    shared: list[Shared] = field(default_factory=list)


@dataclass
class Source:
    """What is read from a branch's file: its settings and its rows, table by table."""

    path: Path
    origin: str
    settings: dict[str, str]
    rows: dict[str, list[dict]]


def read_source(path: Path, township: Ledger) -> Source:
    """Read a branch's ledger read-only, in one snapshot, without migrating or otherwise touching it."""
    if not path.exists():
        raise LedgerError(L.LEDGER_MISSING.format(path=path), L.MERGE_HINT)
    if path.resolve() == township.path.resolve():
        raise BadInput(L.MERGE_SELF.format(path=path))
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.DatabaseError as error:
        raise LedgerError(L.LEDGER_DAMAGED.format(path=path, detail=error), L.LEDGER_DAMAGED_HINT) from error
    try:
        conn.execute("BEGIN")
        applied = applied_migrations(conn)
        if not applied:
            raise BadInput(L.MERGE_NOT_LEDGER.format(path=path))
        if set(applied) - {step.__name__ for step in MIGRATIONS}:
            raise LedgerError(L.MERGE_SOURCE_TOO_NEW.format(path=path), L.LEDGER_TOO_NEW_HINT)
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "branches" in present and conn.execute("SELECT count(*) FROM branches").fetchone()[0]:
            raise BadInput(L.MERGE_SOURCE_IS_TOWNSHIP.format(path=path))
        origin = conn.execute("SELECT applied_at FROM _sqlite_migrations WHERE migration_set = ? AND name = ?",
                              [MIGRATION_SET, MIGRATIONS[0].__name__]).fetchone()[0]
        settings = {row[0]: row[1] for row in conn.execute("SELECT key, value FROM settings")}
        rows = {table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
                for table, _ in TABLES if table in present}
        return Source(path, str(origin), settings, rows)
    except sqlite3.DatabaseError as error:
        raise LedgerError(L.LEDGER_DAMAGED.format(path=path, detail=error), L.LEDGER_DAMAGED_HINT) from error
    finally:
        conn.close()


def merge(led: Ledger, source: Source, replace: bool = False) -> tuple[str, Tally]:
    """Bring the township up to date with one branch's ledger; runs inside the caller's transaction.

    A branch is known by its name and its ledger by when that file was created (its origin): another file
    under a merged branch's name (a ledger started afresh) is refused, or with replace takes the old one's place.
    """
    name = (source.settings.get("branch") or "").strip()
    if not name:
        raise BadInput(L.MERGE_NO_BRANCH_NAME.format(path=source.path))
    if name == led.setting("branch"):
        raise BadInput(L.MERGE_SAME_BRANCH.format(branch=name))
    tally = Tally()
    known = led.one("SELECT id, origin, source FROM branches WHERE name = ?", [name])
    if known and known["origin"] != source.origin:
        if not replace:
            raise BadInput(L.MERGE_OTHER_LEDGER.format(branch=name, path=source.path, old=known["source"]),
                           L.MERGE_OTHER_LEDGER_HINT)
        _remove(led, known["id"], {}, _mapping(led, known["id"]), tally)
    branch_id = _branch(led, name, source)
    mapping = _mapping(led, branch_id)
    for table, links in TABLES:
        columns = _target_columns(led, table)
        for row in source.rows.get(table, []):
            values = {c: row[c] for c in row if c in columns and c not in NOT_COPIED}
            for column, parent in links.items():
                if values.get(column) is not None:
                    values[column] = mapping[(parent, values[column])]
            key = (table, row["id"])
            if table == "members":
                mapping[key] = _merge_member(led, branch_id, values, mapping.get(key), tally)
            elif key in mapping:
                _count(tally, led.update(table, mapping[key], values))
            else:
                mapping[key] = led.insert(table, values)
                tally.added += 1
            _remember(led, branch_id, key, mapping[key])
    _remove(led, branch_id, source.rows, mapping, tally)
    return name, tally


def _mapping(led: Ledger, branch_id: int) -> dict[tuple[str, int], int]:
    """(table, id in the branch's file) → id here, for every row merged from the branch."""
    return {(row["table_name"], row["source_id"]): row["row_id"] for row in led.all(
        "SELECT table_name, source_id, row_id FROM merged_rows WHERE branch_id = ?", [branch_id])}


def _branch(led: Ledger, name: str, source: Source) -> int:
    """The township's row for the branch, created on its first merge and brought up to date after."""
    s = source.settings
    values = {"code": s.get("code") or "0000", "committee": s.get("committee"),
              "home_province": s.get("home_province") or "", "home_city": s.get("home_city") or "",
              "since": s.get("since"), "origin": source.origin, "source": str(source.path),
              "merged_at": datetime.now().isoformat(timespec="seconds")}
    existing = led.one("SELECT id FROM branches WHERE name = ?", [name])
    if existing:
        led.update("branches", existing["id"], values)
        return existing["id"]
    return led.insert("branches", {"name": name, **values})


def _merge_member(led: Ledger, branch_id: int, values: dict, row_id: int | None, tally: Tally) -> int:
    """Insert, update or share a member row; the branch where the member is active owns it."""
    existing = led.get("members", row_id) if row_id else led.one(
        "SELECT * FROM members WHERE id_number = ?", [values["id_number"]])
    if existing is None:
        tally.added += 1
        return led.insert("members", {**values, "branch_id": branch_id})
    if existing["branch_id"] == branch_id:
        _count(tally, led.update("members", existing["id"], values))
        return existing["id"]
    first = led.scalar("SELECT name FROM branches WHERE id = ?", [existing["branch_id"]]) or led.setting("branch")
    second = led.scalar("SELECT name FROM branches WHERE id = ?", [branch_id])
    tally.shared.append(Shared(values["id_number"], existing["name"], first, existing["status"], second,
                               values["status"]))
    if tally.shared[-1].linked:
        if values["status"] == "away":  # the home branch (where the member is away from) owns the member row
            _count(tally, led.update("members", existing["id"], {**values, "branch_id": branch_id}))
        else:
            tally.same += 1  # the inflow branch's records attach to the home branch's member
    elif values["status"] == "transferred":
        tally.same += 1  # another branch holds the member now; this branch's records still attach to the row
    elif existing["status"] == "transferred":
        _count(tally, led.update("members", existing["id"], {**values, "branch_id": branch_id}))
    else:
        raise BadInput(L.MERGE_BOTH_ACTIVE.format(id=values["id_number"], first=first, second=second))
    return existing["id"]


def _remove(led: Ledger, branch_id: int, rows: dict[str, list[dict]], mapping: dict, tally: Tally) -> None:
    """Rows merged before that the branch's file no longer holds are deleted, children first."""
    for table, _ in reversed(TABLES):
        present = {row["id"] for row in rows.get(table, [])}
        for (mapped_table, source_id), row_id in list(mapping.items()):
            if mapped_table != table or source_id in present:
                continue
            shared = led.scalar("SELECT count(*) FROM merged_rows WHERE table_name = ? AND row_id = ? AND branch_id != ?",
                                [table, row_id, branch_id])
            if not shared:
                led.delete(table, row_id)
                tally.removed += 1
            led.delete_many("merged_rows", "SELECT id FROM merged_rows WHERE branch_id = ? AND table_name = ?"
                            " AND source_id = ?", [branch_id, table, source_id])
            del mapping[(mapped_table, source_id)]


def _remember(led: Ledger, branch_id: int, key: tuple[str, int], row_id: int) -> None:
    """Where a branch's row went, kept through the Ledger so that undo can take a merge back whole."""
    known = led.one("SELECT id, row_id FROM merged_rows WHERE branch_id = ? AND table_name = ? AND source_id = ?",
                    [branch_id, key[0], key[1]])
    if known is None:
        led.insert("merged_rows", {"branch_id": branch_id, "table_name": key[0], "source_id": key[1], "row_id": row_id})
    elif known["row_id"] != row_id:
        led.update("merged_rows", known["id"], {"row_id": row_id})


def _count(tally: Tally, changed: dict) -> None:
    if changed:
        tally.updated += 1
    else:
        tally.same += 1


def _target_columns(led: Ledger, table: str) -> set[str]:
    return {row[1] for row in led.all(f"PRAGMA table_info({table})")}


def summary_lines(tallies: list[Tally]) -> list[str]:
    """Chinese lines naming every 身份证号 that two branch ledgers both hold (after the per-branch counts)."""
    seen: dict[str, Shared] = {}
    for tally in tallies:
        for shared in tally.shared:
            seen.setdefault(shared.id_number, shared)
    if not seen:
        return []
    lines = [L.MERGE_SHARED_HEADING.format(count=len(seen))]
    for shared in seen.values():
        template = L.MERGE_SHARED_LINKED if shared.linked else L.MERGE_SHARED_BOTH
        first, second = shared.first, shared.second
        if shared.linked and shared.first_status == "inflow":
            first, second = second, first  # 外出 branch first
        lines.append("  " + template.format(id=shared.id_number, name=shared.name, first=first,
                                            second=second, first_status=L.STATUS[shared.first_status],
                                            second_status=L.STATUS[shared.second_status]))
    return lines
