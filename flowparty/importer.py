"""Importing a register: every row parsed (flowparty.parse) and checked by the same steps as the command line
(flowparty.records), all inside one transaction, so a file is imported whole or not at all.

Each row runs in its own SAVEPOINT: a bad row is rolled back alone and listed, the good rows stay in the
transaction, and at the end the whole transaction commits (no errors, or --skip-invalid) or rolls back.
Rows already in the ledger are counted as unchanged, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from flowparty import labels as L
from flowparty import parse, records, sheets
from flowparty.db import Ledger
from flowparty.errors import BadInput

ADDED, UNCHANGED = "added", "unchanged"


class Kind(NamedTuple):
    keys: tuple[str, ...]  # the columns read, in template order
    required: sheets.Required
    row: Callable[[Ledger, Cells], str]


@dataclass
class RowError:
    sheet: str
    row: int
    column: str  # the header as written in the file; empty when the problem is the row as a whole
    value: str
    message: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 60 else self.value[:60] + "…"  # a runaway cell, not the whole
        where = L.IMPORT_COLUMN.format(column=self.column, value=shown) if self.column else ""
        return L.IMPORT_ROW_ERROR.format(sheet=self.sheet, row=self.row, column=where, message=self.message)


@dataclass
class Outcome:
    kind: str
    file_name: str
    sheet: str = ""
    batch_id: int | None = None
    added: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class ImportRefused(BadInput):
    """Some rows were bad and --skip-invalid was not given: the transaction was rolled back."""

    def __init__(self, outcome: Outcome):
        super().__init__(L.IMPORT_REFUSED.format(count=len({e.row for e in outcome.errors})),
                         L.IMPORT_REFUSED_HINT)
        self.outcome = outcome


class _CellError(Exception):
    def __init__(self, column: str, value: object, message: str):
        super().__init__(message)
        self.column, self.value, self.message = column, value, message


class _DryRun(Exception):
    """Raised at the end of a dry run so that the transaction rolls everything back."""


# ---------------------------------------------------------------- cells of one row


class Cells:
    """One row's cells, parsed with the shared parsers; a failure names the column as the file spells it."""

    def __init__(self, row: sheets.Row, headers: dict[str, str]):
        self.row, self.headers = row, headers

    def raw(self, key: str) -> object:
        return self.row.values.get(key)

    def get(self, key: str, parser: Callable = parse.fold, *args) -> object:
        value = self.raw(key)
        if value is None or parse.fold(value) == "":
            return None
        try:
            return parser(value, *args)
        except BadInput as error:
            raise _CellError(self.headers[key], value, error.message) from None

    def need(self, key: str, parser: Callable = parse.fold, *args) -> object:
        value = self.get(key, parser, *args)
        if value is None:
            field_name = L.HEADER_ALIASES[key][0]
            raise _CellError(self.headers.get(key, field_name), "", L.EMPTY_FIELD.format(field=field_name))
        return value

    def member(self, led: Ledger) -> records.Member:
        """The member a dues or report row is about: by 身份证号 when given, else by a unique name."""
        id_number = self.get("id_number", parse.parse_id_number)
        if id_number:
            ref, key = id_number, "id_number"
        else:
            ref, key = self.get("name"), "name"
        if not ref:
            raise _CellError("", "", L.MEMBER_COLUMN_NEEDED)
        try:
            return records.find_member(led, ref)
        except BadInput as error:
            raise _CellError(self.headers[key], self.raw(key), error.message) from None


# ---------------------------------------------------------------- one row of each kind


def _member_row(led: Ledger, c: Cells) -> str:
    _, outcome = _roster_member(led, c)
    return outcome


def _roster_member(led: Ledger, c: Cells) -> tuple[records.Member, str]:
    """The member of a roster row: found by 身份证号 (the name must agree), or added from the row's columns."""
    id_number = c.need("id_number", parse.parse_id_number)
    name = c.get("name")
    existing = led.one("SELECT * FROM members WHERE id_number = ?", [id_number])
    if existing is not None:
        if name and name != existing["name"]:
            raise _CellError(c.headers["name"], name,
                             L.MEMBER_OTHER_NAME.format(id=id_number, existing=existing["name"], name=name))
        return existing, UNCHANGED
    if not name:
        raise _CellError(c.headers.get("name", L.FIELD_NAME), "", L.MEMBER_NAME_NEEDED.format(id=id_number))
    category = c.get("category", parse.parse_choice, L.MEMBER_CATEGORIES, L.FIELD_MEMBER_CATEGORY)
    member_id = records.add_member(
        led, name=name, id_number=id_number,
        gender=c.get("gender", parse.parse_choice, L.GENDERS, L.FIELD_GENDER),
        phone=c.get("phone", parse.parse_phone), joined=c.get("joined", parse.parse_date_or_month, L.FIELD_JOINED),
        probationary=category == "probationary",
        probation_ends=c.get("probation_ends", parse.parse_date_or_month, L.FIELD_PROBATION_ENDS),
        occupation=c.get("occupation", parse.parse_choice, L.OCCUPATION_CHOICES, L.FIELD_OCCUPATION),
        notes=c.get("notes"),
    )
    return led.get("members", member_id), ADDED


def _outflow_row(led: Ledger, c: Cells) -> str:
    member, _ = _roster_member(led, c)
    left_on = c.need("left_on", parse.parse_date_or_month, L.FIELD_LEFT_ON)
    if led.one("SELECT 1 FROM outflows WHERE member_id = ? AND left_on = ?", [member["id"], left_on]):
        return UNCHANGED
    destination = c.need("destination", parse.parse_destination)
    address = c.get("address")
    if address:
        destination = destination._replace(detail=" ".join(p for p in (destination.detail, address) if p))
    records.register_outflow(
        led, member, destination=destination, left_on=left_on,
        reason=c.need("reason", parse.parse_choice, L.REASONS, L.FIELD_REASON),
        employer=c.get("employer"), phone=c.get("phone", parse.parse_phone),
        unit_type=c.get("unit_type", parse.parse_choice, L.UNIT_TYPES, L.FIELD_UNIT_TYPE),
        until=c.get("until", parse.parse_date_or_month, L.FIELD_UNTIL),
    )
    returned_on = c.get("returned_on", parse.parse_date, L.FIELD_RETURNED_ON)
    if returned_on:  # a register also lists those back home: the outflow and its end, as two steps
        records.return_home(led, records.reload(led, member), returned_on=returned_on)
    return ADDED


def _dues_row(led: Ledger, c: Cells) -> str:
    member = c.member(led)
    periods = c.need("period", parse.parse_periods)
    amount = c.need("amount", parse.parse_amount)
    paid_on = c.need("paid_on", parse.parse_date, L.FIELD_PAID_ON)
    if len(records.paid_months(led, member["id"], periods)) == len(periods):
        return UNCHANGED
    records.record_dues(led, member, periods=periods, amount_fen=amount, paid_on=paid_on,
                        paid_to=c.get("paid_to", parse.parse_choice, L.PAID_TO, L.FIELD_PAID_TO) or "home",
                        receipt=c.get("receipt"))
    return ADDED


def _report_row(led: Ledger, c: Cells) -> str:
    member = c.member(led)
    reported_on = c.need("reported_on", parse.parse_date, L.FIELD_DATE)
    kind = c.get("report_kind", parse.parse_choice, L.REPORT_KINDS, L.FIELD_KIND) or "思想汇报"
    if led.one("SELECT 1 FROM reports WHERE member_id = ? AND reported_on = ? AND kind = ?",
               [member["id"], reported_on, kind]):
        return UNCHANGED
    records.record_report(led, member, reported_on=reported_on, kind=kind, summary=c.get("summary"))
    return ADDED


_ROSTER_KEYS = ("seq", "name", "gender", "id_number", "phone", "joined", "category", "probation_ends",
                "occupation")
KINDS: dict[str, Kind] = {
    "members": Kind((*_ROSTER_KEYS, "notes"), ("name", "id_number"), _member_row),
    "outflows": Kind((*_ROSTER_KEYS, "left_on", "destination", "address", "reason", "employer", "unit_type",
                      "until", "returned_on", "notes"), ("id_number", "left_on", "destination", "reason"),
                 _outflow_row),
    "dues": Kind(("seq", "name", "id_number", "period", "amount", "paid_on", "paid_to", "receipt", "notes"),
                 (("id_number", "name"), "period", "amount", "paid_on"), _dues_row),
    "reports": Kind(("seq", "name", "id_number", "reported_on", "report_kind", "summary", "notes"),
                    (("id_number", "name"), "reported_on"), _report_row),
}


def kind_of(text: str) -> str:
    return parse.parse_choice(text, {k: k for k in KINDS} | {v: k for k, v in L.IMPORT_KINDS.items()},
                              L.FIELD_IMPORT_KIND)


# ---------------------------------------------------------------- the import


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read(kind: str, path: Path, sheet: str | None = None) -> sheets.Table:
    spec = KINDS[kind]
    try:
        return sheets.read_table(path, spec.keys, spec.required, sheet)
    except sheets.HeaderNotFound as error:
        error.hint = L.HEADER_NOT_FOUND_HINT.format(kind=kind)
        raise


def import_file(led: Ledger, kind: str, path: Path, sheet: str | None = None, *, dry_run: bool = False,
                skip_invalid: bool = False,
                progress: Callable[[Iterable, int], Iterator] = lambda rows, total: iter(rows)) -> Outcome:
    """Import one file as one batch; raises ImportRefused (nothing written) when a row is bad."""
    table = read(kind, path, sheet)
    outcome = Outcome(kind, path.name, table.sheet)
    try:
        with led.transaction(f"import {kind}"):
            outcome.batch_id = led.insert("import_batches", {
                "kind": kind, "file_name": path.name, "file_hash": file_hash(path),
                "imported_at": datetime.now().isoformat(timespec="seconds"),
            })
            led.batch_id = outcome.batch_id
            for row in progress(table.rows, len(table.rows)):
                _import_row(led, KINDS[kind].row, Cells(row, table.headers), table.sheet, outcome)
            if outcome.errors and not skip_invalid:
                raise ImportRefused(outcome)
            led.update("import_batches", outcome.batch_id, {
                "rows_added": outcome.added, "rows_unchanged": outcome.unchanged,
                "rows_skipped": len({e.row for e in outcome.errors}),
            })
            if dry_run:
                raise _DryRun
    except _DryRun:
        outcome.batch_id = None
    return outcome


def _import_row(led: Ledger, step: Callable[[Ledger, Cells], str], cells: Cells, sheet: str,
                outcome: Outcome) -> None:
    led.conn.execute("SAVEPOINT import_row")
    try:
        result = step(led, cells)
    except (_CellError, BadInput) as error:
        led.conn.execute("ROLLBACK TO import_row")
        led.conn.execute("RELEASE import_row")
        column, value = (error.column, error.value) if isinstance(error, _CellError) else ("", "")
        outcome.errors.append(RowError(sheet, cells.row.number, column, _text(value), error.message))
        return
    led.conn.execute("RELEASE import_row")
    if result == ADDED:
        outcome.added += 1
    else:
        outcome.unchanged += 1


def _text(value: object) -> str:
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---------------------------------------------------------------- undo


@dataclass
class Undone:
    batch: dict
    deleted: int
    restored: int


def undo_last(led: Ledger) -> Undone:
    """Take back the last batch that wrote something, through history; refused when later records build on it.

    A re-import that found every row already in the ledger is a batch too, but there is nothing to take back.
    """
    batch = led.one("SELECT * FROM import_batches WHERE undone_at IS NULL AND rows_added > 0"
                    " ORDER BY id DESC LIMIT 1")
    if batch is None:
        raise BadInput(L.NOTHING_TO_UNDO)
    entries = led.all("SELECT * FROM history WHERE batch_id = ? ORDER BY id", [batch["id"]])
    _refuse_if_built_on(led, dict(batch), entries)
    deleted = restored = 0
    led.batch_id = batch["id"]
    for entry in reversed(entries):
        if entry["action"] == "insert":
            led.delete(entry["table_name"], entry["row_id"])
            deleted += 1
        elif entry["action"] == "update" and entry["table_name"] != "import_batches":
            led.update(entry["table_name"], entry["row_id"], json.loads(entry["old_values"]))
            restored += 1
    led.update("import_batches", batch["id"], {"undone_at": datetime.now().isoformat(timespec="seconds")})
    return Undone(dict(batch), deleted, restored)


def _refuse_if_built_on(led: Ledger, batch: dict, entries: list) -> None:
    """Later history (outside undone batches) touching the batch's members or rows blocks the undo."""
    if not entries:
        return
    members = {e["member_id"] for e in entries if e["member_id"] is not None}
    rows = {(e["table_name"], e["row_id"]) for e in entries}
    later = led.all(
        "SELECT h.* FROM history h WHERE h.id > ? AND (h.batch_id IS NULL OR h.batch_id NOT IN"
        " (SELECT id FROM import_batches WHERE undone_at IS NOT NULL OR id = ?)) ORDER BY h.id",
        [entries[-1]["id"], batch["id"]],
    )
    blocking = [h for h in later if h["member_id"] in members or (h["table_name"], h["row_id"]) in rows]
    if blocking:
        names = {row["name"] for row in led.all(
            f"SELECT name FROM members WHERE id IN ({', '.join('?' for _ in blocking)})",
            [h["member_id"] for h in blocking])}
        examples = "；".join(dict.fromkeys(f"{h['command']}" for h in blocking))
        raise BadInput(L.UNDO_BLOCKED.format(batch=batch["id"], file=batch["file_name"],
                                             examples="、".join(sorted(names)) + "：" + examples),
                       L.UNDO_BLOCKED_HINT)
