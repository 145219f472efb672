"""Importing a register: every row parsed (flowparty.parse) and checked by the same checks as the command line
(the check_* functions of flowparty.records), and the whole file written in one transaction.

The rows stream from the file in chunks of CHUNK_ROWS, so a million-row register never sits in memory. For
each chunk the ledger state its rows need (their members, outflows, paid months, reports) is loaded with a
few set queries; each row is checked against that state and the rows before it, a good row's effects join
the state, and the chunk's good rows are written a table at a time (Ledger.insert_many, history included)
inside the import's transaction, where the next chunk's queries see them. A bad row is listed and leaves no
trace; at the end the batch commits (no errors, or --skip-invalid) or is rolled back whole.
Rows already in the ledger are counted as unchanged, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from flowparty import labels as L
from flowparty import parse, records, sheets
from flowparty.db import Ledger, as_date
from flowparty.errors import BadInput

ADDED, UNCHANGED = "added", "unchanged"
CHUNK_ROWS = 5_000  # rows checked and written together: few queries a chunk, little memory
PARSED_LIMIT = 50_000  # distinct cell values remembered across chunks (places and dates repeat; IDs do not)


class Kind(NamedTuple):
    keys: tuple[str, ...]  # the columns read, in template order
    required: sheets.Required
    batch: Callable[[Ledger, list[Cells]], Batch]


@dataclass
class RowError:
    sheet: str
    row: int
    column: str  # the header as written in the file; empty when the problem is the row as a whole
    value: str
    message: str

    def __str__(self) -> str:
        where = L.IMPORT_COLUMN.format(column=self.column, value=parse.shown(self.value)) if self.column else ""
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

    def __init__(self, row: sheets.Row, headers: dict[str, str], parsed: dict):
        self.row, self.headers = row, headers
        self.parsed = parsed  # shared by the file's rows: (key, type, value) -> the parsed value, read-only

    def raw(self, key: str) -> object:
        return self.row.values.get(key)

    def get(self, key: str, parser: Callable = parse.fold, *args) -> object:
        """The parsed cell, None when blank. A column is always read with one parser, and registers repeat their
        places, reasons and dates, so each distinct value of a column is parsed once per file."""
        value = self.row.values.get(key)
        if value is None:
            return None
        seen = (key, value) if type(value) is str else (key, type(value), value)  # 1, 1.0 and True are equal
        try:
            return self.parsed[seen]
        except KeyError:
            pass
        try:
            result = None if isinstance(value, str) and parse.fold(value) == "" else parser(value, *args)
        except BadInput as error:
            raise _CellError(self.headers[key], value, error.message) from None
        self.parsed[seen] = result
        return result

    def need(self, key: str, parser: Callable = parse.fold, *args) -> object:
        value = self.get(key, parser, *args)
        if value is None:
            field_name = L.HEADER_ALIASES[key][0]
            raise _CellError(self.headers.get(key, field_name), "", L.EMPTY_FIELD.format(field=field_name))
        return value


def _id_numbers(rows: list[Cells]) -> list[str]:
    """The valid 身份证号 of the file, to load their members in one query (a bad one is reported by its row)."""
    found = set()
    for c in rows:
        try:
            found.add(c.get("id_number", parse.parse_id_number))
        except _CellError:
            pass
    found.discard(None)
    return sorted(found)


def _members(led: Ledger, id_numbers: Iterable[str], names: Iterable[str] = ()) -> list[dict]:
    """The members with any of these 身份证号 or names, in one query (the lists go in as JSON arrays)."""
    return [dict(row) for row in led.all(
        "SELECT * FROM members WHERE id_number IN (SELECT value FROM json_each(?))"
        " OR name IN (SELECT value FROM json_each(?)) ORDER BY id",
        [json.dumps(list(id_numbers)), json.dumps(list(names))])]


def _of_members(led: Ledger, sql: str, member_ids: Iterable[int]) -> list:
    """Rows of `sql`, whose ? is the list of the batch's member ids."""
    return led.all(sql.replace("?", "(SELECT value FROM json_each(?))"), [json.dumps(list(member_ids))])


# ---------------------------------------------------------------- each kind: its state, its rows, its writes


class Batch:
    """The ledger state one import needs; row() checks a row against it and stages the row's effects."""

    def row(self, c: Cells) -> str:
        raise NotImplementedError

    def write(self, led: Ledger) -> None:
        raise NotImplementedError


class Roster(Batch):
    """members and outflows: the members of the file by 身份证号, those added by earlier rows included."""

    def __init__(self, led: Ledger, rows: list[Cells]):
        self.members = {m["id_number"]: m for m in _members(led, _id_numbers(rows))}
        self.new: list[dict] = []  # members to add, in file order

    def member(self, c: Cells) -> tuple[dict, bool]:
        """The member of a roster row: found by 身份证号 (the name must agree), or checked as a new member."""
        id_number = c.need("id_number", parse.parse_id_number)
        name = c.get("name")
        existing = self.members.get(id_number)
        if existing is not None:
            if name and name != existing["name"]:
                raise _CellError(c.headers["name"], name,
                                 L.MEMBER_OTHER_NAME.format(id=id_number, existing=existing["name"], name=name))
            return existing, False
        if not name:
            raise _CellError(c.headers.get("name", L.FIELD_NAME), "", L.MEMBER_NAME_NEEDED.format(id=id_number))
        category = c.get("category", parse.parse_choice, L.MEMBER_CATEGORIES, L.FIELD_MEMBER_CATEGORY)
        return records.check_new_member(
            name=name, id_number=id_number, on_roster=self.members.__contains__,
            gender=c.get("gender", parse.parse_choice, L.GENDERS, L.FIELD_GENDER),
            phone=c.get("phone", parse.parse_phone), joined=c.get("joined", parse.parse_date_or_month, L.FIELD_JOINED),
            probationary=category == "probationary",
            probation_ends=c.get("probation_ends", parse.parse_date_or_month, L.FIELD_PROBATION_ENDS),
            occupation=c.get("occupation", parse.parse_choice, L.OCCUPATION_CHOICES, L.FIELD_OCCUPATION),
            notes=c.get("notes"),
        ), True

    def add(self, member: dict) -> None:
        self.members[member["id_number"]] = member
        self.new.append(member)

    def row(self, c: Cells) -> str:
        member, new = self.member(c)
        if not new:
            return UNCHANGED
        self.add(member)
        return ADDED

    def write(self, led: Ledger) -> None:
        ids = led.insert_many("members", [{**m, "batch_id": led.batch_id} for m in self.new])
        for member, member_id in zip(self.new, ids):
            member["id"] = member_id


class Outflows(Roster):
    """A 登记簿: each row a member's outflow (added to the roster when new), ended when the row gives a return."""

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.left: dict[str, set[date]] = {}  # id_number -> the days their outflows began
        self.last_return: dict[str, date] = {}
        by_id = {m["id"]: m["id_number"] for m in self.members.values()}
        for row in _of_members(led, "SELECT member_id, left_on, ended_on FROM outflows WHERE member_id IN ?", by_id):
            id_number = by_id[row["member_id"]]
            self.left.setdefault(id_number, set()).add(as_date(row["left_on"]))
            if row["ended_on"] and (id_number not in self.last_return
                                    or as_date(row["ended_on"]) > self.last_return[id_number]):
                self.last_return[id_number] = as_date(row["ended_on"])
        self.outflows: list[tuple[dict, dict]] = []  # (member, outflows row)
        self.moved: dict[int, dict] = {}  # members already in the ledger whose status changes

    def row(self, c: Cells) -> str:
        member, new = self.member(c)
        id_number = member["id_number"]
        left_on = c.need("left_on", parse.parse_date_or_month, L.FIELD_LEFT_ON)
        if left_on in self.left.get(id_number, ()):
            return UNCHANGED
        destination = c.need("destination", parse.parse_destination)
        address = c.get("address")
        if address:
            destination = destination._replace(detail=" ".join(p for p in (destination.detail, address) if p))
        outflow = records.check_outflow(
            member, last_return=self.last_return.get(id_number), destination=destination, left_on=left_on,
            reason=c.need("reason", parse.parse_choice, L.REASONS, L.FIELD_REASON),
            employer=c.get("employer"), phone=c.get("phone", parse.parse_phone),
            unit_type=c.get("unit_type", parse.parse_choice, L.UNIT_TYPES, L.FIELD_UNIT_TYPE),
            until=c.get("until", parse.parse_date_or_month, L.FIELD_UNTIL),
        )
        returned_on = c.get("returned_on", parse.parse_date, L.FIELD_RETURNED_ON)
        if returned_on:  # a register also lists those back home: the outflow and its end
            records.check_return(member, {"left_on": left_on.isoformat()}, returned_on)
        # the row is good: its effects join the state
        if new:
            self.add(member)
        self.outflows.append((member, {**outflow, "ended_on": returned_on,
                                       "end_kind": "returned" if returned_on else None}))
        self.left.setdefault(id_number, set()).add(left_on)
        if returned_on:
            self.last_return[id_number] = returned_on
        else:
            member["status"] = "away"
            if "id" in member:  # already in the ledger; one added by this file goes in with its last status
                self.moved[member["id"]] = member
        return ADDED

    def write(self, led: Ledger) -> None:
        super().write(led)  # new members go in with the status their last row left them in
        for member in self.moved.values():
            led.update("members", member["id"], {"status": member["status"]})
        led.insert_many("outflows", [{"member_id": member["id"], **outflow, "batch_id": led.batch_id}
                                     for member, outflow in self.outflows])


class ByMember(Batch):
    """dues and reports: rows about members already on the roster, by 身份证号 or by a unique name."""

    def __init__(self, led: Ledger, rows: list[Cells]):
        keys = {records.member_key(name) for name in {c.get("name") for c in rows} if name}
        loaded = _members(led, _id_numbers(rows) + [v for k, v in keys if k == "id_number"],
                          [v for k, v in keys if k == "name"])
        self.index: dict[tuple[str, str], list[dict]] = {}
        for m in loaded:
            self.index.setdefault(("id_number", m["id_number"]), []).append(m)
            self.index.setdefault(("name", m["name"]), []).append(m)
        self.member_ids = [m["id"] for m in loaded]
        self.rows: list[dict] = []

    def member(self, c: Cells) -> dict:
        id_number = c.get("id_number", parse.parse_id_number)
        ref, key = (id_number, "id_number") if id_number else (c.get("name"), "name")
        if not ref:
            raise _CellError("", "", L.MEMBER_COLUMN_NEEDED)
        try:
            return records.one_member(ref, self.index.get(records.member_key(ref), []))
        except BadInput as error:
            raise _CellError(c.headers[key], c.raw(key), error.message) from None


class Dues(ByMember):
    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.paid: dict[int, set[str]] = {}
        for row in _of_members(led, "SELECT member_id, period FROM dues WHERE member_id IN ? AND void_reason IS NULL", self.member_ids):
            self.paid.setdefault(row["member_id"], set()).add(row["period"])

    def row(self, c: Cells) -> str:
        member = self.member(c)
        periods = c.need("period", parse.parse_periods)
        amount = c.need("amount", parse.parse_amount)
        paid_on = c.need("paid_on", parse.parse_date, L.FIELD_PAID_ON)
        paid = self.paid.setdefault(member["id"], set())
        already = sorted(str(m) for m in periods if str(m) in paid)
        if len(already) == len(periods):
            return UNCHANGED
        self.rows += records.check_dues(
            member, paid=already, periods=periods, amount_fen=amount, paid_on=paid_on,
            paid_to=c.get("paid_to", parse.parse_choice, L.PAID_TO, L.FIELD_PAID_TO) or "home",
            receipt=c.get("receipt"))
        paid.update(str(m) for m in periods)
        return ADDED

    def write(self, led: Ledger) -> None:
        led.insert_many("dues", [{**row, "batch_id": led.batch_id} for row in self.rows])


class Reports(ByMember):
    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.known = {tuple(row) for row in _of_members(
            led, "SELECT member_id, reported_on, kind FROM reports WHERE member_id IN ? AND void_reason IS NULL", self.member_ids)}

    def row(self, c: Cells) -> str:
        member = self.member(c)
        reported_on = c.need("reported_on", parse.parse_date, L.FIELD_DATE)
        kind = c.get("report_kind", parse.parse_choice, L.REPORT_KINDS, L.FIELD_KIND) or "思想汇报"
        key = (member["id"], reported_on.isoformat(), kind)
        if key in self.known:
            return UNCHANGED
        self.rows.append(records.check_report(member, reported_on=reported_on, kind=kind, summary=c.get("summary")))
        self.known.add(key)
        return ADDED

    def write(self, led: Ledger) -> None:
        led.insert_many("reports", [{**row, "batch_id": led.batch_id} for row in self.rows])


_ROSTER_KEYS = ("seq", "name", "gender", "id_number", "phone", "joined", "category", "probation_ends",
                "occupation")
KINDS: dict[str, Kind] = {
    "members": Kind((*_ROSTER_KEYS, "notes"), ("name", "id_number"), Roster),
    "outflows": Kind((*_ROSTER_KEYS, "left_on", "destination", "address", "reason", "employer", "unit_type",
                      "until", "returned_on", "notes"), ("id_number", "left_on", "destination", "reason"),
                 Outflows),
    "dues": Kind(("seq", "name", "id_number", "period", "amount", "paid_on", "paid_to", "receipt", "notes"),
                 (("id_number", "name"), "period", "amount", "paid_on"), Dues),
    "reports": Kind(("seq", "name", "id_number", "reported_on", "report_kind", "summary", "notes"),
                    (("id_number", "name"), "reported_on"), Reports),
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
                progress: Callable[[Iterable, int | None], Iterator] = lambda rows, total: iter(rows)) -> Outcome:
    """Import one file as one batch; raises ImportRefused (nothing written) when a row is bad."""
    table = read(kind, path, sheet)
    outcome = Outcome(kind, path.name, table.sheet)
    parsed: dict = {}
    try:
        with led.transaction(f"import {kind}"):
            outcome.batch_id = led.insert("import_batches", {
                "kind": kind, "file_name": path.name, "file_hash": file_hash(path),
                "imported_at": datetime.now().isoformat(timespec="seconds"),
            })
            led.batch_id = outcome.batch_id
            for chunk in _chunks(progress(table.rows, table.total), CHUNK_ROWS):
                if len(parsed) > PARSED_LIMIT:
                    parsed.clear()
                rows = [Cells(row, table.headers, parsed) for row in chunk]
                batch = KINDS[kind].batch(led, rows)
                for cells in rows:
                    _check_row(batch, cells, table.sheet, outcome)
                batch.write(led)  # rolled back with the rest when a row is bad and --skip-invalid is not given
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


def _chunks(rows: Iterable[sheets.Row], size: int) -> Iterator[list[sheets.Row]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _check_row(batch: Batch, cells: Cells, sheet: str, outcome: Outcome) -> None:
    """A bad row is listed and stages nothing: Batch.row checks everything before it changes the state."""
    try:
        result = batch.row(cells)
    except (_CellError, BadInput) as error:
        column, value = (error.column, error.value) if isinstance(error, _CellError) else ("", "")
        outcome.errors.append(RowError(sheet, cells.row.number, column, _text(value), error.message))
        return
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
    """Take back the last import that wrote something, through the same history as `undo` (flowparty.undo).

    A re-import that found every row already in the ledger wrote only its batch row: there is nothing to take
    back, so it is passed over. Refused when a later command that still stands builds on the batch."""
    from flowparty import undo

    tx = undo.latest(led, import_only=True)
    batch = led.one("SELECT b.* FROM import_batches b JOIN history h ON h.table_name = 'import_batches'"
                    " AND h.row_id = b.id AND h.action = 'insert' WHERE h.tx_id = ?", [tx["id"]])
    restored = led.scalar("SELECT count(*) FROM history WHERE tx_id = ? AND action = 'update'"
                          " AND table_name != 'import_batches'", [tx["id"]])
    inserted = led.scalar("SELECT count(*) FROM history WHERE tx_id = ? AND action = 'insert'"
                          " AND table_name != 'import_batches'", [tx["id"]])
    batch = dict(batch)
    undo.undo(led, tx)
    return Undone(batch, inserted, restored)
