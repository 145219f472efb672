"""Importing a register: every row parsed (flowparty.parse) and checked by the same checks as the command line
(the check_* functions of flowparty.records), and the whole file written in one transaction.

The rows stream from the file in chunks of CHUNK_ROWS, so a million-row register never sits in memory. For
each chunk the ledger state its rows need (their members, outflows, paid months, reports) is loaded with a
few set queries; each row is checked against that state and the rows before it, a good row's effects join
the state, and the chunk's good rows are written a table at a time (Ledger.insert_many: each row carries the
batch id, and the batch's one history entry counts them) inside the import's transaction, where the next
chunk's queries see them. A bad row is listed and leaves no trace; at the end the batch commits (no errors,
or --skip-invalid) or is rolled back whole.
Rows already in the ledger are counted as unchanged, so importing the same file twice changes nothing.

import_all reads back a whole workbook written by `export all` (SPEC §8): every sheet, in dependency order, in
one transaction and one batch; summary_lines(outcome) is what the command prints after any import (each sheet's
counts, the columns nothing read, the places that could not be placed).
"""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from flowparty import labels as L
from flowparty import parse, records, sheets
from flowparty.db import Ledger, as_date
from flowparty.dues import check_plausible
from flowparty.errors import BadInput

ADDED, UNCHANGED = "added", "unchanged"
CHUNK_ROWS = 5_000  # rows checked and written together: few queries a chunk, little memory
PARSED_LIMIT = 20_000  # distinct values of a column remembered across chunks (places and dates repeat; IDs do not)


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
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)  # sheet -> header texts not read
    unplaced: list[str] = field(default_factory=list)  # destinations with neither province nor city, as written
    sheets: list[SheetCount] = field(default_factory=list)  # import all: each sheet's counts, in reading order
    missing_sheets: list[str] = field(default_factory=list)  # import all: sheets the workbook does not have


@dataclass
class SheetCount:
    kind: str
    sheet: str
    added: int = 0
    unchanged: int = 0
    errors: int = 0


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


_UNSEEN = object()


class Cells:
    """One row's cells, parsed with the shared parsers; a failure names the column as the file spells it.

    A kind that declares its columns reads them as plain values (plain, filled a chunk at a time by _by_column);
    the others parse a cell at a time (get, need)."""

    __slots__ = ("row", "values", "headers", "parsed", "plain")

    def __init__(self, row: sheets.Row, headers: dict[str, str], parsed: dict[str, dict]):
        self.row, self.values, self.headers = row, row.values, headers
        self.parsed = parsed  # the file's: key (get) or (name,) (_by_column) -> {cell: its parsed value}

    def raw(self, key: str) -> object:
        return self.values.get(key)

    def get(self, key: str, parser: Callable = parse.fold, *args) -> object:
        """The parsed cell, None when blank. A column is always read with one parser, and registers repeat their
        places, reasons and dates, so each distinct value of a column is parsed once per file."""
        value = self.values.get(key)
        if value is None:
            return None
        seen = value if type(value) is str else _cell_key(value)  # inline for str: the hottest line of an import
        known = self.parsed.get(key)
        if known is None:
            known = self.parsed[key] = {}
        else:
            result = known.get(seen, _UNSEEN)
            if result is not _UNSEEN:
                return result
        try:
            result = None if type(value) is str and _blank(value) else parser(value, *args)
        except BadInput as error:
            raise _CellError(self.headers[key], value, error.message) from None
        known[seen] = result
        return result

    def need(self, key: str, parser: Callable = parse.fold, *args) -> object:
        value = self.get(key, parser, *args)
        if value is None:
            raise _empty(self, key)
        return value


def _empty(c: Cells, key: str) -> _CellError:
    """A required cell left blank: named as the file spells its header, or by the field when it has none."""
    field_name = L.HEADER_ALIASES[key][0]
    return _CellError(c.headers.get(key, field_name), "", L.EMPTY_FIELD.format(field=field_name))


def _needed(c: Cells, name: str) -> object:
    """A plain value that must be given (Cells.need for a kind that declares its columns)."""
    value = c.plain[name]
    if value is None:
        raise _empty(c, name)
    return value


# ---------------------------------------------------------------- cells by column


class _Refused(NamedTuple):
    """A cell its column's parser refused, kept in the column's place: raised when a row's check reads it."""
    key: str
    value: object
    message: str


class _Refusing(dict):
    """The plain values of a row with a refused cell: reading that cell raises its error, so a row reports the
    first problem its checks meet, in the order they read the cells, as when they parsed cell by cell."""

    __slots__ = ("headers",)

    def __init__(self, headers: dict[str, str], values: dict[str, object]):
        super().__init__(values)
        self.headers = headers

    def __getitem__(self, name: str) -> object:
        value = dict.__getitem__(self, name)
        if type(value) is _Refused:
            raise _CellError(self.headers[value.key], value.value, value.message)
        return value


Column = tuple  # (the cell's key, its parser, the parser's further arguments...)


def _by_column(rows: list[Cells], columns: dict[str, Column]) -> None:
    """Give each row of a chunk its plain values (Cells.plain: name -> value, None when blank or absent), parsed
    a column at a time: each distinct value of a column once per file (the file's cache), not a call a cell."""
    if not rows:
        return
    headers, cache = rows[0].headers, rows[0].parsed
    present = [name for name, column in columns.items() if column[0] in headers]
    pick = itemgetter(*(columns[name][0] for name in present), columns[present[0]][0])  # a tuple even of one
    refused: set[int] = set()
    parsed = []
    for name, cells in zip(present, zip(*map(pick, [c.values for c in rows]))):  # the chunk's columns, in one pass
        values, bad = _column(cells, cache.setdefault((name,), {}), columns[name])
        parsed.append(values)
        refused.update(bad)
    absent = dict.fromkeys(columns)  # a column the file does not have reads as blank
    for i, (c, plain) in enumerate(zip(rows, zip(*parsed))):
        values = absent.copy()
        values.update(zip(present, plain))
        c.plain = _Refusing(headers, values) if i in refused else values


_PLAIN_TYPES = {str, type(None)}  # cells that are their own dictionary key (see _cell_key)


def _column(cells: Sequence[object], known: dict, column: Column) -> tuple[list, list[int]]:
    """One column's parsed values, and the rows whose cell was refused. Each distinct cell is parsed once: known
    (cell key -> parsed value or _Refused) is the file's, under the column's name, apart from Cells.get's."""
    key, parser, *args = column
    seen = cells if _PLAIN_TYPES.issuperset(map(type, cells)) else list(map(_cell_key, cells))
    for cell in set(seen).difference(known):
        known[cell] = _parsed(key, cell if type(cell) is str or cell is None else cell[1], parser, args)
    values = list(map(known.__getitem__, seen))
    if _Refused not in set(map(type, values)):
        return values, []
    return values, [i for i, value in enumerate(values) if type(value) is _Refused]


def _parsed(key: str, value: object, parser: Callable, args: tuple) -> object:
    """A cell's value: None when blank, a _Refused when its parser refuses it (raised only if a check reads it)."""
    if value is None or type(value) is str and _blank(value):
        return None
    try:
        return parser(value, *args)
    except BadInput as error:
        return _Refused(key, value, error.message)


def _good(rows: list[Cells], name: str) -> set:
    """The distinct given and parsed values of a column in a chunk (a refused one is reported by its row)."""
    return {value for c in rows if (value := dict.get(c.plain, name)) is not None and type(value) is not _Refused}


def _cell_key(value: object) -> object:
    """A cell's value as a dictionary key of its own: 1, 1.0 and True are equal in Python, not in a sheet."""
    return value if type(value) is str or value is None else (type(value), value)


def _blank(text: str) -> bool:
    """A cell of only spaces or invisible characters (cells come trimmed: ASCII text is never blank here)."""
    return not (text.strip() if text.isascii() else parse.fold(text))


def _references(rows: list[Cells]) -> tuple[list[str], set[str]]:
    """The valid 身份证号 of the rows, and the names of the rows that give none: the members to load (a name
    given beside a 身份证号 is not looked up, so a chunk never loads every namesake of its members). Each distinct
    身份证号 cell is parsed once (a year of dues names each member twelve times)."""
    first: dict = {}
    for c in rows:
        key = _cell_key(c.values.get("id_number"))
        if key not in first:
            first[key] = c
    ids, blank = set(), set()
    for key, c in first.items():
        try:
            id_number = c.get("id_number", parse.parse_id_number)
        except _CellError:  # reported when the row is checked
            continue
        if id_number:
            ids.add(id_number)
        else:
            blank.add(key)
    names = set()
    if blank:  # rows that give no 身份证号: their members by name
        for c in rows:
            if _cell_key(c.values.get("id_number")) in blank and (name := c.get("name")):
                names.add(name)
    return sorted(ids), names


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


_YES = "1"  # L.YES_NO_CHOICES' value for 是

# name -> (the cell's key, its parser, the parser's further arguments): how a roster row's cells are read
MEMBER_COLUMNS: dict[str, Column] = {
    "id_number": ("id_number", parse.parse_id_number),
    "name": ("name", parse.fold),
    "category": ("category", parse.parse_choice, L.ROSTER_CATEGORIES, L.FIELD_MEMBER_CATEGORY),
    "probation_ends": ("probation_ends", parse.parse_date_or_month, L.FIELD_PROBATION_ENDS),
    "gender": ("gender", parse.parse_choice, L.GENDERS, L.FIELD_GENDER),
    "phone": ("phone", parse.parse_phone),
    "joined": ("joined", parse.parse_date_or_month, L.FIELD_JOINED),
    "quarterly": ("quarterly", parse.parse_choice, L.YES_NO_CHOICES, L.HEADER_ALIASES["quarterly"][0]),
    "occupation": ("occupation", parse.parse_choice, L.OCCUPATION_CHOICES, L.FIELD_OCCUPATION),
    "notes": ("notes", parse.fold),
    "added_on": ("added_on", parse.parse_date, L.HEADER_ALIASES["added_on"][0]),  # import all only
    "member_status": ("status", parse.parse_choice, L.STATUS_CHOICES, L.FIELD_STATUS),  # import all only
}


class Roster(Batch):
    """members and outflows: the members of the file by 身份证号, those added by earlier rows included.

    replay (import all): the workbook is an export of a whole ledger, so a row carries the member's final state
    (status, 登记日期, a converted member's old probation end) and records are checked as of their own dates."""

    replay = False
    columns = MEMBER_COLUMNS

    def __init__(self, led: Ledger, rows: list[Cells]):
        _by_column(rows, self.columns)
        self.members = {m["id_number"]: m for m in _members(led, sorted(_good(rows, "id_number")))}
        self.new: list[dict] = []  # members to add, in file order

    def member(self, c: Cells) -> tuple[dict, bool]:
        """The member of a roster row: found by 身份证号 (the name must agree), or checked as a new member."""
        v = c.plain
        id_number = _needed(c, "id_number")
        name = v["name"]
        existing = self.members.get(id_number)
        if existing is not None:
            if name and name != existing["name"]:
                raise _CellError(c.headers["name"], name,
                                 L.MEMBER_OTHER_NAME.format(id=id_number, existing=existing["name"], name=name))
            return existing, False
        if not name:
            raise _CellError(c.headers.get("name", L.FIELD_NAME), "", L.MEMBER_NAME_NEEDED.format(id=id_number))
        category, probation_ends = v["category"], v["probation_ends"]
        converted = category == "full" and probation_ends is not None  # 转正 keeps the old end (an export)
        member = records.check_new_member(
            name=name, id_number=id_number, on_roster=self.members.__contains__, gender=v["gender"],
            phone=v["phone"], joined=v["joined"], probationary=category in ("probationary", "cancelled") or converted,
            probation_ends=probation_ends, quarterly=v["quarterly"] == _YES, occupation=v["occupation"],
            notes=v["notes"], added_on=v["added_on"] if self.replay else None,
        )
        member["category"] = category or "full"
        if self.replay:  # import all: the roster's status is the one the other sheets' records left
            member["status"] = v["member_status"] or "home"
        return member, True

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
        ids = led.insert_many("members", self.new)
        for member, member_id in zip(self.new, ids):
            member["id"] = member_id


_FIELD_INSPECTED_ON, _FIELD_TRANSFERRED_ON, _FIELD_CARD_ISSUED = (
    L.HEADER_ALIASES[key][0] for key in ("inspected_on", "transferred_on", "card_issued"))
OUTFLOW_COLUMNS: dict[str, Column] = {
    **MEMBER_COLUMNS,
    "left_on": ("left_on", parse.parse_date_or_month, L.FIELD_LEFT_ON),
    "destination": ("destination", parse.parse_destination),
    "province": ("province", parse.fold),
    "city": ("city", parse.fold),
    "address": ("address", parse.fold),
    "reason": ("reason", parse.parse_choice, L.REASONS, L.FIELD_REASON),
    "employer": ("employer", parse.fold),
    "unit_type": ("unit_type", parse.parse_choice, L.UNIT_TYPES, L.FIELD_UNIT_TYPE),
    "until": ("until", parse.parse_date_or_month, L.FIELD_UNTIL),
    "away_phone": ("away_phone", parse.parse_phone),
    "fixed": ("fixed", parse.parse_choice, L.YES_NO_CHOICES, L.HEADER_ALIASES["fixed"][0]),
    "briefed": ("briefed", parse.parse_choice, L.YES_NO_CHOICES, L.HEADER_ALIASES["briefed"][0]),
    "status": ("status", parse.parse_choice, L.REGISTER_STATUS_CHOICES, L.FIELD_ROUNDTRIP_STATUS),
    "returned_on": ("returned_on", parse.parse_date, L.FIELD_RETURNED_ON),
    "inspected_on": ("inspected_on", parse.parse_date, _FIELD_INSPECTED_ON),
    "transferred_on": ("transferred_on", parse.parse_date, _FIELD_TRANSFERRED_ON),
    "transfer_to": ("transfer_to", parse.fold),
    "card_no": ("card_no", parse.fold),
    "card_issued": ("card_issued", parse.parse_date, _FIELD_CARD_ISSUED),
    "outflow_summary": ("outflow_summary", parse.fold),
}


class Outflows(Roster):
    """A 登记簿: each row a member's outflow (added to the roster when new), ended as its 状态 column says
    (外出/已返回/已转出; without that column, a 返回日期 means a return), with its card when the row names one."""

    columns = OUTFLOW_COLUMNS

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.left: dict[str, set[date]] = {}  # id_number -> the days their outflows began
        self.last_return: dict[str, date] = {}
        self.active: set[str] = set()  # id_numbers with an outflow not ended
        by_id = {m["id"]: m["id_number"] for m in self.members.values()}
        for row in _of_members(led, "SELECT member_id, left_on, ended_on FROM outflows WHERE member_id IN ?", by_id):
            id_number = by_id[row["member_id"]]
            self.left.setdefault(id_number, set()).add(as_date(row["left_on"]))
            if not row["ended_on"]:
                self.active.add(id_number)
            elif id_number not in self.last_return or as_date(row["ended_on"]) > self.last_return[id_number]:
                self.last_return[id_number] = as_date(row["ended_on"])
        named = json.dumps(sorted(_good(rows, "card_no")), ensure_ascii=False)
        self.cards_taken = {r[0] for r in led.all(  # only the card numbers the chunk names (card_no is UNIQUE)
            "SELECT card_no FROM cards WHERE card_no IN (SELECT value FROM json_each(?))", [named])}
        self.committee = led.setting("committee") or ""
        self.outflows: list[tuple[dict, dict]] = []  # (member, outflows row)
        self.transfers: list[tuple[dict, dict]] = []
        self.cards: list[tuple[int, dict]] = []  # (index into outflows, cards row)
        self.moved: dict[int, dict] = {}  # members already in the ledger whose status changes
        self.unplaced: list[str] = []

    def row(self, c: Cells) -> str:
        member, new = self.member(c)
        v = c.plain
        id_number = member["id_number"]
        left_on = _needed(c, "left_on")
        if left_on in self.left.get(id_number, ()):
            return UNCHANGED
        destination = _destination(c)
        returned_on, transferred_on, status = v["returned_on"], v["transferred_on"], v["status"]
        if status is None:  # a register without a 状态 column: a 返回日期 is a return
            status = "returned" if returned_on else "away"
        elif status == "away" and (returned_on or transferred_on):
            key = "returned_on" if returned_on else "transferred_on"
            raise _CellError(c.headers[key], c.raw(key), L.ROUNDTRIP_AWAY_BUT_ENDED.format(status=c.raw("status")))
        ended = status != "away"
        if status == "away" and id_number in self.active:
            raise BadInput(L.ALREADY_AWAY.format(name=member["name"]), L.ALREADY_AWAY_HINT)
        checked = _as_was(member) if (self.replay or ended) else member  # a past outflow is checked as of its day
        outflow = records.check_outflow(
            checked, last_return=None if ended else self.last_return.get(id_number), destination=destination,
            left_on=left_on, reason=_needed(c, "reason"), employer=v["employer"],
            phone=v["away_phone"] or v["phone"], unit_type=v["unit_type"], until=v["until"],
            fixed=v["fixed"] == _YES, briefed=v["briefed"] == _YES,
        )
        if "away_phone" in c.headers:  # an export: 联系电话 may be the member's own phone, 外出联系电话 the outflow's
            outflow["phone"] = v["away_phone"]
        ended_on = inspected_on = transfer = None
        if status == "returned":
            ended_on = _needed(c, "returned_on")
            inspected_on = v["inspected_on"]
            if inspected_on:
                records._not_before(inspected_on, _FIELD_INSPECTED_ON, ended_on, L.FIELD_RETURNED_ON)
        elif status == "transferred":
            ended_on = _needed(c, "transferred_on")
            transfer = {"to_org": _needed(c, "transfer_to"), "transferred_on": ended_on}
        if ended_on:
            records.check_return(checked, {"left_on": left_on.isoformat()}, ended_on)
        card = None
        card_no = None if self.replay else v["card_no"]  # import all reads the cards from their own sheet
        if card_no and card_no not in self.cards_taken:
            issued_on = v["card_issued"] or left_on
            records._not_future(issued_on, _FIELD_CARD_ISSUED)
            card = {"card_no": card_no, "issued_on": issued_on, "committee": self.committee,
                    "voided_on": None, "void_reason": None}
            if status == "transferred":
                card.update(voided_on=ended_on, void_reason=L.VOID_TRANSFERRED)
            elif inspected_on:
                card.update(voided_on=inspected_on, void_reason=L.VOID_RETURNED)
        # the row is good: its effects join the state
        if destination and not destination.province and not destination.city:
            self.unplaced.append(str(destination))
        if new:
            self.add(member)
        outflow.update(ended_on=ended_on, end_kind=None if status == "away" else status, inspected_on=inspected_on,
                       summary=v["outflow_summary"])
        self.outflows.append((member, outflow))
        if card:
            self.cards.append((len(self.outflows) - 1, card))
            self.cards_taken.add(card_no)
        if transfer:
            self.transfers.append((member, transfer))
        self.left.setdefault(id_number, set()).add(left_on)
        if status == "returned" and (id_number not in self.last_return or ended_on > self.last_return[id_number]):
            self.last_return[id_number] = ended_on
        if status == "away":
            self.active.add(id_number)
        if not self.replay and status in ("away", "transferred"):
            member["status"] = status
            if "id" in member:  # already in the ledger; one added by this file goes in with its last status
                self.moved[member["id"]] = member
        return ADDED

    def write(self, led: Ledger) -> None:
        super().write(led)  # new members go in with the status their last row left them in
        for member in self.moved.values():
            led.update("members", member["id"], {"status": member["status"]})
        for member, outflow in self.outflows:  # a member added by this chunk has its id now
            outflow["member_id"] = member["id"]
        ids = led.insert_many("outflows", [outflow for _, outflow in self.outflows])
        led.insert_many("cards", [{"member_id": self.outflows[i][0]["id"], "outflow_id": ids[i], **card}
                                  for i, card in self.cards])
        led.insert_many("transfers", [{"member_id": member["id"], **t} for member, t in self.transfers])


def _destination(c: Cells) -> parse.Destination:
    """省, 市 and 详细地址 in their own columns (as export writes them) are taken as they are; a single 流入地
    column is split by parse.parse_destination, a 详细地址 beside it joining the detail."""
    v = c.plain
    province, city, address = v["province"], v["city"], v["address"]
    if province or city:
        return parse.Destination(province or "", city or "", address or "")
    destination = _needed(c, "destination")
    if address:
        destination = destination._replace(detail=" ".join(p for p in (destination.detail, address) if p))
    return destination


def _as_was(member) -> dict:
    """A member as the checks of an old record should see them: active, not yet converted or transferred."""
    return {**dict(member), "status": "home", "category": "full"}


def _yes(c: Cells, key: str) -> bool:
    return c.values.get(key) is not None and \
        c.get(key, parse.parse_choice, L.YES_NO_CHOICES, L.HEADER_ALIASES[key][0]) == "1"


class ByMember(Batch):
    """dues and reports: rows about members already on the roster, by 身份证号 or by a unique name."""

    def __init__(self, led: Ledger, rows: list[Cells]):
        ids, names = _references(rows)
        keys = {records.member_key(name) for name in names}
        loaded = _members(led, ids + [v for k, v in keys if k == "id_number"], [v for k, v in keys if k == "name"])
        self.index: dict[tuple[str, str], list[dict]] = {}
        for m in loaded:
            self.index.setdefault(("id_number", m["id_number"]), []).append(m)
            self.index.setdefault(("name", m["name"]), []).append(m)
        self.member_ids = [m["id"] for m in loaded]
        self.rows: list[dict] = []
        self.transferred_on = {r["member_id"]: as_date(r["day"]) for r in _of_members(
            led, "SELECT member_id, max(transferred_on) AS day FROM transfers WHERE member_id IN ? GROUP BY member_id",
            self.member_ids)}

    def as_of(self, member, day: date):
        """A record dated on or before the member's transfer out is checked as of its day (they were active)."""
        ended = self.transferred_on.get(member["id"])
        return _as_was(member) if ended and day <= ended else member

    def member(self, c: Cells) -> dict:
        id_number = c.get("id_number", parse.parse_id_number)
        ref, key = (id_number, "id_number") if id_number else (c.get("name"), "name")
        if not ref:
            raise _CellError("", "", L.MEMBER_COLUMN_NEEDED)
        found_by = ("id_number", ref) if id_number else records.member_key(ref)  # a parsed 身份证号 is its own key
        try:
            return records.one_member(ref, self.index.get(found_by, []))
        except BadInput as error:
            raise _CellError(c.headers[key], c.raw(key), error.message) from None


class Dues(ByMember):
    """党费 rows. What depends on the payment alone (所属期, 金额, 交纳日期: parsed, the plausible amount,
    records.check_payment) is worked out once for each distinct payment of the file, what depends on the member
    (records.check_payer) a row; the rows are staged as tuples, their dates ISO text."""

    def __init__(self, led: Ledger, rows: list[Cells]):
        from flowparty.dues import plausible_limit

        super().__init__(led, rows)
        self.limit = plausible_limit(led)
        self.paid: dict[int, set[str]] = {}
        for row in _of_members(led, "SELECT member_id, period FROM dues WHERE member_id IN ? AND void_reason IS NULL",
                               self.member_ids):
            self.paid.setdefault(row["member_id"], set()).add(row["period"])
        self.payments = rows[0].parsed.setdefault(_PAYMENTS, {}) if rows else {}  # the file's, across chunks
        self.by_id_cell: dict = {}  # a 身份证号 cell as written -> its member (the chunk's)
        self.tuples: list[tuple] = []

    def payment(self, c: Cells, key: tuple) -> tuple:
        """(months, records.Payment or the BadInput check_payment raised) of a row's payment cells; a cell that
        does not parse raises _CellError (each is cached: a bad payment is reported for every row that gives it)."""
        found = self.payments.get(key)
        if found is None:
            try:
                periods = c.need("period", parse.parse_periods)
                amount = c.need("amount", parse.parse_amount)
                check_plausible(amount, len(periods), self.limit)
                paid_on = c.need("paid_on", parse.parse_date, L.FIELD_PAID_ON)
            except (_CellError, BadInput) as error:
                found = error
            else:
                try:
                    found = records.check_payment(periods=periods, amount_fen=amount, paid_on=paid_on)
                except BadInput as error:
                    found = ([str(m) for m in periods], error)
            self.payments[key] = found
        if isinstance(found, Exception):
            raise found.with_traceback(None)
        return found

    def row(self, c: Cells) -> str:
        values = c.values
        id_cell = values.get("id_number")
        member = self.by_id_cell.get(id_cell) if id_cell is not None else None
        if member is None:
            member = self.member(c)
            if id_cell is not None:
                self.by_id_cell[id_cell] = member
        key = (values.get("period"), values.get("amount"), values.get("paid_on"))
        if not (type(key[0]) is str and type(key[1]) is str and type(key[2]) is str):  # a CSV's are all text
            key = tuple(map(_cell_key, key))
        payment = self.payment(c, key)
        months, error = (payment.periods, None) if type(payment) is records.Payment else payment
        member_id = member["id"]
        paid = self.paid.get(member_id)
        if paid is None:
            paid = self.paid[member_id] = set()
        already = [m for m in months if m in paid] if paid else []
        if already and len(already) == len(months):
            return UNCHANGED
        if error is not None:
            raise error.with_traceback(None)
        records.check_payer(self.as_of(member, payment.paid_on) if self.transferred_on else member, payment,
                            paid=sorted(already))
        paid_to = c.get("paid_to", parse.parse_choice, L.PAID_TO, L.FIELD_PAID_TO) or "home" \
            if "paid_to" in values else "home"
        receipt = records._optional(c.get("receipt")) if "receipt" in values else None
        paid_on = payment.paid_on_text
        if len(months) == 1:
            self.tuples.append((member_id, months[0], payment.shares[0], paid_on, paid_to, receipt))
        else:
            self.tuples += [(member_id, month, share, paid_on, paid_to, receipt)
                            for month, share in zip(months, payment.shares)]
        paid.update(months)
        return ADDED

    def write(self, led: Ledger) -> None:
        led.insert_rows("dues", list(records.DUES_COLUMNS[:-1]), self.tuples, len(self.tuples))


_PAYMENTS = "\0payments"  # the key of the payments cache among a file's parsed columns


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
        self.rows.append(records.check_report(self.as_of(member, reported_on), reported_on=reported_on, kind=kind, summary=c.get("summary")))
        self.known.add(key)
        return ADDED

    def write(self, led: Ledger) -> None:
        led.insert_many("reports", self.rows)


_ROSTER_KEYS = ("seq", "name", "gender", "id_number", "phone", "joined", "category", "probation_ends",
                "quarterly", "occupation")
KINDS: dict[str, Kind] = {
    "members": Kind((*_ROSTER_KEYS, "notes"), ("name", "id_number"), Roster),
    "outflows": Kind((*_ROSTER_KEYS, "left_on", "destination", "province", "city", "address", "reason", "employer",
                      "unit_type", "until", "returned_on", "notes", "away_phone", "fixed", "briefed", "card_no",
                      "card_issued", "status", "inspected_on", "transferred_on", "transfer_to", "outflow_summary"),
                 ("id_number", "left_on", ("destination", "province", "city"), "reason"), Outflows),
    "dues": Kind(("seq", "name", "id_number", "period", "amount", "paid_on", "paid_to", "receipt", "notes"),
                 (("id_number", "name"), "period", "amount", "paid_on"), Dues),
    "reports": Kind(("seq", "name", "id_number", "reported_on", "report_kind", "summary", "notes"),
                    (("id_number", "name"), "reported_on"), Reports),
}


def kind_of(text: str) -> str:
    return parse.parse_choice(text, {k: k for k in KINDS} | {v: k for k, v in L.IMPORT_KINDS.items() if k in KINDS},
                              L.FIELD_IMPORT_KIND)


# ---------------------------------------------------------------- the import


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read(kind: str, path: Path, sheet: str | None = None) -> sheets.Table:
    """The kind's table: the named sheet; else, in a workbook holding a sheet named for the kind (as export all
    writes them), that sheet; else the first sheet with the kind's headers."""
    spec = KINDS[kind]
    try:
        if sheet is None and path.suffix.lower() in sheets.WORKBOOK_SUFFIXES:
            named = _named_sheet(path, kind)
            if named is not None:
                try:
                    return sheets.read_table(path, spec.keys, spec.required, named)
                except sheets.HeaderNotFound:
                    pass
        return sheets.read_table(path, spec.keys, spec.required, sheet)
    except sheets.HeaderNotFound as error:
        error.hint = L.HEADER_NOT_FOUND_HINT.format(kind=kind)
        raise


def _sheet_names(path: Path) -> list[str]:
    return sheets.sheet_names(path)  # none when the file cannot be opened: the reader proper says why


def _named_sheet(path: Path, kind: str) -> str | None:
    wanted = {parse.fold(L.IMPORT_KINDS.get(kind, "")), parse.fold(L.EXPORT_KINDS.get(_EXPORT_KIND.get(kind, kind), ""))}
    return next((n for n in _sheet_names(path) if parse.fold(n) in wanted), None)


_EXPORT_KIND = {"members": "roster", "outflows": "register"}


def import_file(led: Ledger, kind: str, path: Path, sheet: str | None = None, *, dry_run: bool = False,
                skip_invalid: bool = False,
                progress: Callable[[Iterable, int | None], Iterator] = lambda rows, total: iter(rows)) -> Outcome:
    """Import one file as one batch; raises ImportRefused (nothing written) when a row is bad."""
    table = sheets.require_rows(read(kind, path, sheet))  # a sheet of headers only records no empty batch
    outcome = Outcome(kind, path.name, table.sheet)
    try:
        with led.transaction(f"import {kind}"):
            _begin_batch(led, kind, path, outcome)
            _run_table(led, KINDS[kind], table, outcome, progress, {})
            _finish_batch(led, outcome, skip_invalid, dry_run)
    except _DryRun:
        outcome.batch_id = None
    return outcome


def _begin_batch(led: Ledger, kind: str, path: Path, outcome: Outcome) -> None:
    outcome.batch_id = led.begin_batch(kind, path.name, file_hash(path))


def _finish_batch(led: Ledger, outcome: Outcome, skip_invalid: bool, dry_run: bool) -> None:
    if outcome.errors and not skip_invalid:
        raise ImportRefused(outcome)
    led.finish_batch(outcome.added, outcome.unchanged, len({(e.sheet, e.row) for e in outcome.errors}))
    if dry_run:
        raise _DryRun
    from flowparty import backup

    backup.before_commit(led.path, "import")  # every row is good: the state before the import, kept aside


def _run_table(led: Ledger, spec: Kind, table: sheets.Table, outcome: Outcome,
               progress: Callable[[Iterable, int | None], Iterator], parsed: dict, replay: bool = False) -> None:
    """Check and stage a table's rows chunk by chunk, writing each chunk's good rows inside the transaction."""
    ignored = list(getattr(table, "ignored", None) or [])
    if ignored:
        outcome.ignored_columns[table.sheet] = ignored
    collecting = gc.isenabled()
    gc.disable()  # a table read and checked makes millions of objects that live until their chunk is written:
    try:  # the collector would walk them again and again, and finds no cycles among them
        _run_chunks(led, spec, table, outcome, progress, parsed, replay)
    finally:
        if collecting:
            gc.enable()


def _run_chunks(led: Ledger, spec: Kind, table: sheets.Table, outcome: Outcome,
                progress: Callable[[Iterable, int | None], Iterator], parsed: dict, replay: bool) -> None:
    for chunk in _chunks(progress(table.rows, table.total), CHUNK_ROWS):
        for known in parsed.values():
            if len(known) > PARSED_LIMIT:  # a column of distinct values (IDs, names): the repeating ones stay
                known.clear()
        rows = [Cells(row, table.headers, parsed) for row in chunk]
        batch = spec.batch(led, rows)
        if replay:
            batch.replay = True
        for cells in rows:
            _check_row(batch, cells, table.sheet, outcome)
        outcome.unplaced.extend(getattr(batch, "unplaced", ()))
        batch.write(led)  # rolled back with the rest when a row is bad and --skip-invalid is not given


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
    """A cell as the clerk's spreadsheet shows it: a date cell holding day 0 (a blank date, which the reader
    gives as a bare time of day) is 1899-12-30, not 00:00:00."""
    if isinstance(value, time):
        return "1899-12-30" + ("" if value == time(0) else f" {value.isoformat()}")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
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
                          " AND table_name != 'import_batches'", [tx["id"]]) + undo.inserted_rows(led, tx["id"])
    batch = dict(batch)
    undo.undo(led, tx)
    return Undone(batch, inserted, restored)


# ---------------------------------------------------------------- import all: the workbook export all writes
#
# Each sheet is one kind of record; they are read in dependency order (the roster before what names its
# members, cards before their reviews, groups before their members) in one transaction, as one batch. The
# records are checked by the same checks as the commands, as of their own dates: a member transferred out
# today still paid dues last year. A record already in the ledger (by its natural key) is counted unchanged.


def _field(key: str) -> str:
    return L.HEADER_ALIASES[key][0]


class _Replay:
    """Checks see the member as they were when the record was made (see _as_was)."""

    replay = True

    def member(self, c: Cells) -> dict:
        return _as_was(super().member(c))


class ReplayDues(_Replay, Dues):
    pass


class ReplayReports(_Replay, Reports):
    pass


class _Simple(_Replay, ByMember):
    """A kind of record about one member, known by a natural key; subclasses say how a row reads."""

    table = ""
    known_sql = ""

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.known = {tuple(r) for r in _of_members(led, self.known_sql, self.member_ids)} if self.known_sql else set()
        self.led = led

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        raise NotImplementedError

    def row(self, c: Cells) -> str:
        member = self.member(c)
        key, values = self.values(c, member)
        key = tuple(_sql(v) for v in key)
        if key in self.known:
            return UNCHANGED
        self.known.add(key)
        self.rows.append(values)
        return ADDED

    def write(self, led: Ledger) -> None:
        led.insert_many(self.table, self.rows)


def _sql(value: object) -> object:
    from flowparty.db import to_sql

    return to_sql(value)


def _day(c: Cells, key: str, required: bool = False) -> date | None:
    value = (c.need if required else c.get)(key, parse.parse_date, _field(key))
    if value is not None:
        records._not_future(value, _field(key))
    return value


def _outflows_of(led: Ledger, member_ids: list[int]) -> dict[tuple[int, str], int]:
    return {(r["member_id"], r["left_on"]): r["id"]
            for r in _of_members(led, "SELECT id, member_id, left_on FROM outflows WHERE member_id IN ?", member_ids)}


def _outflow_id(c: Cells, outflows: dict, member: dict) -> int | None:
    left_on = c.get("left_on", parse.parse_date, L.FIELD_LEFT_ON)
    if left_on is None:
        return None
    found = outflows.get((member["id"], left_on.isoformat()))
    if found is None:
        raise _CellError(c.headers["left_on"], c.raw("left_on"),
                         L.IMPORT_OUTFLOW_UNKNOWN.format(name=member["name"], left_on=left_on.isoformat()))
    return found


class Cards(_Simple):
    table = "cards"

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.outflows = _outflows_of(led, self.member_ids)
        self.known = {(r["card_no"],) for r in led.all("SELECT card_no FROM cards")}
        self.valid = {r["member_id"]: r["card_no"] for r in led.all("SELECT member_id, card_no FROM cards"
                                                                     " WHERE voided_on IS NULL")}
        self.committee = led.setting("committee") or ""

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        card_no = c.need("card_no")
        if (card_no,) in self.known:
            return (card_no,), {}
        issued_on = _day(c, "card_issued", True)
        voided_on = _day(c, "voided_on")
        if voided_on:
            records._not_before(voided_on, _field("voided_on"), issued_on, _field("card_issued"))
        elif member["id"] in self.valid:
            raise BadInput(L.IMPORT_CARD_TWO_VALID.format(name=member["name"], first=self.valid[member["id"]],
                                                         second=card_no))
        else:
            self.valid[member["id"]] = card_no
        return (card_no,), {"member_id": member["id"], "outflow_id": _outflow_id(c, self.outflows, member),
                            "card_no": card_no, "issued_on": issued_on,
                            "committee": c.get("committee") or self.committee, "voided_on": voided_on,
                            "void_reason": c.get("void_reason") if voided_on else None}


class Reviews(_Simple):
    table = "card_reviews"

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.cards = {r["card_no"]: r for r in led.all("SELECT id, card_no, member_id, issued_on FROM cards")}
        self.known = {(r[0], r[1]) for r in led.all("SELECT card_id, reviewed_on FROM card_reviews")}

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        card_no = c.need("card_no")
        card = self.cards.get(card_no)
        if card is None or card["member_id"] != member["id"]:
            raise _CellError(c.headers["card_no"], card_no, L.IMPORT_CARD_UNKNOWN.format(card_no=card_no))
        reviewed_on = _day(c, "reviewed_on", True)
        records._not_before(reviewed_on, _field("reviewed_on"), as_date(card["issued_on"]), _field("card_issued"))
        return (card["id"], reviewed_on), {
            "card_id": card["id"], "reviewed_on": reviewed_on, "reviewer": c.get("reviewer"),
            "result": c.get("review_result", parse.parse_choice, L.REVIEW_RESULTS, _field("review_result")) or "合格",
            "note": c.get("notes")}


class Checkins(_Simple):
    table = "checkins"
    known_sql = "SELECT member_id, checked_in_on, org FROM checkins WHERE member_id IN ?"

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.outflows = _outflows_of(led, self.member_ids)

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        on, org = _day(c, "checked_in_on", True), c.need("org")
        return (member["id"], on, org), {
            "member_id": member["id"], "outflow_id": _outflow_id(c, self.outflows, member), "org": org,
            "checked_in_on": on, "branch": c.get("assigned_branch"), "verified": _yes(c, "verified"),
            "filed": _yes(c, "filed")}


class Contacts(_Simple):
    table = "contacts"
    known_sql = "SELECT member_id, contacted_on, channel, note FROM contacts WHERE member_id IN ?"

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        on = _day(c, "contacted_on", True)
        channel = c.get("channel", parse.parse_choice, L.CHANNELS, L.FIELD_CHANNEL) or "电话"
        note = c.get("contact_note")
        return (member["id"], on, channel, note), {"member_id": member["id"], "contacted_on": on,
                                                   "channel": channel, "note": note}


class OrgLife(_Simple):
    table = "org_life"
    known_sql = "SELECT member_id, held_on, kind, place FROM org_life WHERE member_id IN ?"

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        on = _day(c, "held_on", True)
        kind = c.get("org_life_kind", parse.parse_choice, L.ORG_LIFE_KINDS, L.FIELD_KIND) or "主题党日"
        place = c.get("org_life_place", parse.parse_choice, _PLACE_CHOICES, L.FIELD_WHERE) or "inflow"
        return (member["id"], on, kind, place), {"member_id": member["id"], "held_on": on, "kind": kind,
                                                 "place": place}


_PLACE_CHOICES = {**L.PLACES, **{v: k for k, v in L.PLACE_NAMES.items()},
                  **{parse.fold(v): k for k, v in L.PLACE_NAMES.items()}}


class Inflows(_Simple):
    table = "inflows"
    known_sql = "SELECT member_id, arrived_on FROM inflows WHERE member_id IN ?"

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        arrived_on = _day(c, "arrived_on", True)
        verified_on, ended_on = _day(c, "verified_on"), _day(c, "inflow_ended_on")
        for key, day in (("verified_on", verified_on), ("inflow_ended_on", ended_on)):
            if day:
                records._not_before(day, _field(key), arrived_on, _field("arrived_on"))
        return (member["id"], arrived_on), {
            "member_id": member["id"], "origin_org": c.need("origin_org"), "origin_card_no": c.get("origin_card_no"),
            "arrived_on": arrived_on, "branch": c.get("assigned_branch"), "verified_on": verified_on,
            "ended_on": ended_on}


class Feedback(_Simple):
    table = "feedback"
    known_sql = "SELECT member_id, sent_on, note FROM feedback WHERE member_id IN ?"

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        on, note = _day(c, "sent_on", True), c.get("feedback_note")
        return (member["id"], on, note), {"member_id": member["id"], "sent_on": on, "note": note}


class Conversions(_Simple):
    table = "conversions"
    known_sql = "SELECT member_id, decided_on, outcome FROM conversions WHERE member_id IN ?"

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        on = _day(c, "decided_on", True)
        outcome = c.need("conversion_outcome", parse.parse_choice, L.OUTCOME_CHOICES, _field("conversion_outcome"))
        new_end = c.get("new_end", parse.parse_date, _field("new_end"))
        old_end = c.get("old_end", parse.parse_date, _field("old_end")) if outcome == "extended" else None
        if old_end and new_end:
            records._not_before(new_end, _field("new_end"), old_end, _field("old_end"))
        return (member["id"], on, outcome), {"member_id": member["id"], "decided_on": on, "outcome": outcome,
                                             "new_end": new_end, "old_end": old_end if new_end else None}

    def write(self, led: Ledger) -> None:
        """The conversions; an extension also leaves the history convert leaves (the probation end before it),
        which the audit reads to know the end as of an earlier day."""
        extended = [(row["member_id"], row.pop("old_end"), row["new_end"]) for row in self.rows]
        super().write(led)
        led._history([led._history_row("members", member_id, member_id, "update", {"probation_ends": old.isoformat()},
                                       {"probation_ends": new.isoformat()}) for member_id, old, new in extended if old])


class Standards(_Simple):
    table = "dues_standards"
    known_sql = "SELECT member_id, year FROM dues_standards WHERE member_id IN ?"

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        from flowparty import dues

        year = c.need("year", _year)
        kind = c.need("standard_kind", parse.parse_choice, L.DUES_KIND_CHOICES, L.FIELD_DUES_KIND)
        base, monthly = c.get("base", parse.parse_amount), c.get("monthly", parse.parse_amount)
        fen = dues.monthly_standard(kind, base, monthly)
        return (member["id"], year), {"member_id": member["id"], "year": year, "kind": kind,
                                      "base_fen": base if kind in dues.BASE_KINDS else None, "monthly_fen": fen,
                                      "set_on": _day(c, "set_on", True)}


def _year(value: object) -> int:
    try:
        year = int(float(parse.fold(value)))
    except ValueError:
        raise BadInput(L.DUES_BAD_YEAR.format(value=parse.shown(value))) from None
    if not 1990 <= year <= 2200:
        raise BadInput(L.DUES_BAD_YEAR.format(value=year))
    return year


class Groups(Batch):
    """临时党小组: the leader by 身份证号; its members come from the next sheet."""

    def __init__(self, led: Ledger, rows: list[Cells]):
        ids = set()
        for c in rows:
            try:
                ids.add(c.get("leader_id", parse.parse_id_number))
            except _CellError:
                pass
        self.leaders = {m["id_number"]: m for m in _members(led, sorted(i for i in ids if i))}
        self.known = {r[0] for r in led.all("SELECT name FROM groups")}
        self.rows: list[dict] = []

    def row(self, c: Cells) -> str:
        name = c.need("group_name")
        if name in self.known:
            return UNCHANGED
        leader_id = c.need("leader_id", parse.parse_id_number)
        leader = self.leaders.get(leader_id)
        if leader is None:
            raise _CellError(c.headers["leader_id"], leader_id, L.MEMBER_NOT_FOUND_ID.format(value=leader_id))
        self.rows.append({"name": name, "city": c.need("group_city"), "leader_id": leader["id"],
                          "formed_on": _day(c, "formed_on", True)})
        self.known.add(name)
        return ADDED

    def write(self, led: Ledger) -> None:
        led.insert_many("groups", self.rows)


class GroupMembers(_Simple):
    table = "group_members"

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.groups = {r["name"]: r["id"] for r in led.all("SELECT id, name FROM groups")}
        self.known = {(r[0], r[1]) for r in led.all("SELECT group_id, member_id FROM group_members")}

    def values(self, c: Cells, member: dict) -> tuple[tuple, dict]:
        name = c.need("group_name")
        if name not in self.groups:
            raise _CellError(c.headers["group_name"], name, L.IMPORT_GROUP_UNKNOWN.format(name=name))
        return (self.groups[name], member["id"]), {"group_id": self.groups[name], "member_id": member["id"]}


class ReplayRoster(Roster):
    replay = True


class ReplayOutflows(Outflows):
    replay = True


_WHO_KEYS = ("name", "id_number")
_WHO = (("id_number", "name"),)
class OutflowChanges(_Simple):
    """外出变更 rows: one field of one dated update each. The rows of one day make one update; a field's value
    before its first update is what was registered, so the outflow gets it back (its register row showed the
    place as it stood on the day of the export)."""

    table = "outflow_changes"

    def __init__(self, led: Ledger, rows: list[Cells]):
        super().__init__(led, rows)
        self.outflows = _outflows_of(led, self.member_ids)
        self.known = {(r[0], r[1], r[2]) for r in led.all(
            "SELECT u.outflow_id, u.changed_on, j.key FROM outflow_changes u, json_each(u.new_values) j"
            " WHERE u.void_reason IS NULL")}
        self.changes: dict[tuple[int, str], dict] = {}
        self.registered: dict[int, dict] = {}

    def row(self, c: Cells) -> str:
        member = self.member(c)
        outflow_id = _outflow_id(c, self.outflows, member)
        changed_on = _day(c, "changed_on", True)
        label = c.need("change_field")
        field = _CHANGE_FIELDS.get(label)
        if field is None or outflow_id is None:
            raise _CellError(c.headers["change_field"], label, L.IMPORT_CHANGE_FIELD.format(value=label))
        if (outflow_id, changed_on.isoformat(), field) in self.known:
            return UNCHANGED
        old, new = (_change_value(field, c.get(key)) for key in ("old_value", "new_value"))
        self.known.add((outflow_id, changed_on.isoformat(), field))
        self.changes.setdefault((outflow_id, changed_on.isoformat()), {"member_id": member["id"]})[field] = new
        self.registered.setdefault(outflow_id, {}).setdefault(field, old)
        return ADDED

    def write(self, led: Ledger) -> None:
        for (outflow_id, changed_on), values in self.changes.items():
            member_id = values.pop("member_id")
            led.insert("outflow_changes", {"outflow_id": outflow_id, "member_id": member_id, "changed_on": changed_on,
                                           "fields": ",".join(values),
                                           "new_values": json.dumps(values, ensure_ascii=False)})
        for outflow_id, values in self.registered.items():
            led.update("outflows", outflow_id, values)


_CHANGE_FIELDS = {L.column(f): f for f in ("province", "city", "address", "employer", "unit_type", "phone",
                                           "fixed_place")}


def _change_value(field: str, value: object) -> object:
    if field == "fixed_place":
        return 1 if value == L.YES else 0
    return "" if value is None and field in ("province", "city", "address") else value


# export kind -> how import all reads its sheet, in the order the sheets are read
ALL_KINDS: dict[str, Kind] = {
    "roster": Kind(("seq", *_ROSTER_KEYS[1:], "status", "added_on", "notes"), ("name", "id_number"), ReplayRoster),
    "register": Kind(KINDS["outflows"].keys, KINDS["outflows"].required, ReplayOutflows),
    "outflow_changes": Kind((*_WHO_KEYS, "left_on", "changed_on", "change_field", "old_value", "new_value"),
                            (*_WHO, "left_on", "changed_on", "change_field"), OutflowChanges),
    "cards": Kind((*_WHO_KEYS, "card_no", "card_issued", "left_on", "committee", "voided_on", "void_reason"),
                  (*_WHO, "card_no", "card_issued"), Cards),
    "reviews": Kind((*_WHO_KEYS, "card_no", "reviewed_on", "reviewer", "review_result", "notes"),
                    (*_WHO, "card_no", "reviewed_on"), Reviews),
    "checkins": Kind((*_WHO_KEYS, "checked_in_on", "org", "assigned_branch", "verified", "filed", "left_on"),
                     (*_WHO, "checked_in_on", "org"), Checkins),
    "dues": Kind(KINDS["dues"].keys, KINDS["dues"].required, ReplayDues),
    "reports": Kind(KINDS["reports"].keys, KINDS["reports"].required, ReplayReports),
    "contacts": Kind((*_WHO_KEYS, "contacted_on", "channel", "contact_note"), (*_WHO, "contacted_on"), Contacts),
    "org_life": Kind((*_WHO_KEYS, "held_on", "org_life_kind", "org_life_place"), (*_WHO, "held_on"), OrgLife),
    "inflows": Kind((*_WHO_KEYS, "origin_org", "origin_card_no", "arrived_on", "assigned_branch", "verified_on",
                     "inflow_ended_on"), (*_WHO, "origin_org", "arrived_on"), Inflows),
    "feedback": Kind((*_WHO_KEYS, "sent_on", "feedback_note"), (*_WHO, "sent_on"), Feedback),
    "groups": Kind(("group_name", "group_city", "leader_name", "leader_id", "formed_on"),
                   ("group_name", "leader_id", "formed_on"), Groups),
    "group_members": Kind(("group_name", *_WHO_KEYS), ("group_name", *_WHO), GroupMembers),
    "dues_standards": Kind((*_WHO_KEYS, "year", "standard_kind", "base", "monthly", "set_on"),
                           (*_WHO, "year", "standard_kind", "set_on"), Standards),
    "conversions": Kind((*_WHO_KEYS, "decided_on", "conversion_outcome", "new_end", "old_end"),
                        (*_WHO, "decided_on", "conversion_outcome"), Conversions),
}
SETTINGS_COMPARED = ("branch", "code", "since")  # what must agree when the ledger already holds records


def import_all(led: Ledger, path: Path, *, dry_run: bool = False, skip_invalid: bool = False,
               progress: Callable[[Iterable, int | None], Iterator] = lambda rows, total: iter(rows)) -> Outcome:
    """Read back a workbook export all wrote: every sheet, in dependency order, one transaction, one batch.

    Into an empty ledger (no members yet) the 台账设置 sheet's settings are applied first; into a ledger that
    holds records they must agree (branch, code, since), or nothing is written. Raises ImportRefused when a
    row is bad (unless skip_invalid); a dry run checks everything and writes nothing."""
    if not path.is_file():
        raise BadInput(L.FILE_NOT_FOUND.format(path=path))
    if path.suffix.lower() not in sheets.WORKBOOK_SUFFIXES:
        raise BadInput(L.UNSUPPORTED_FILE.format(path=path), L.UNSUPPORTED_FILE_HINT)
    known = [L.EXPORT_KINDS["settings"], *(L.EXPORT_KINDS[kind] for kind in ALL_KINDS)]
    names = {parse.fold(n): n for n in sheets.require_workbook_sheets(path, known)}
    outcome = Outcome("all", path.name, "")
    parsed: dict = {}
    try:
        with led.transaction("import all"):
            _begin_batch(led, "all", path, outcome)
            settings_sheet = names.get(parse.fold(L.EXPORT_KINDS["settings"]))
            if settings_sheet:
                _apply_settings(led, path, settings_sheet)
            else:
                outcome.missing_sheets.append(L.EXPORT_KINDS["settings"])
            for kind, spec in ALL_KINDS.items():
                sheet = names.get(parse.fold(L.EXPORT_KINDS[kind]))
                if sheet is None:
                    outcome.missing_sheets.append(L.EXPORT_KINDS[kind])
                    continue
                table = sheets.read_table(path, spec.keys, spec.required, sheet)
                before = (outcome.added, outcome.unchanged, len(outcome.errors))
                _run_table(led, spec, table, outcome, progress, parsed, replay=True)
                outcome.sheets.append(SheetCount(kind, table.sheet, outcome.added - before[0],
                                                 outcome.unchanged - before[1],
                                                 len({e.row for e in outcome.errors[before[2]:]})))
            _finish_batch(led, outcome, skip_invalid, dry_run)
    except _DryRun:
        outcome.batch_id = None
    return outcome


def _apply_settings(led: Ledger, path: Path, sheet: str) -> None:
    table = sheets.read_table(path, ("setting_key", "setting_name", "setting_value"),
                              ("setting_key", "setting_value"), sheet)
    theirs = {parse.fold(r.values.get("setting_key")): "" if r.values.get("setting_value") is None
              else _setting_text(r.values["setting_value"]) for r in table.rows if r.values.get("setting_key")}
    empty = led.scalar("SELECT count(*) FROM members") == 0
    batch_id, led.batch_id = led.batch_id, None  # the ledger's setup, not a record of the batch: undo keeps it
    try:
        _set_or_compare(led, theirs, empty)
    finally:
        led.batch_id = batch_id


def _set_or_compare(led: Ledger, theirs: dict[str, str], empty: bool) -> None:
    for key, value in theirs.items():
        if empty:
            if key != "demo":
                led.set_setting(key, value)
        elif key in SETTINGS_COMPARED and (led.setting(key) or "") != value:
            raise BadInput(L.IMPORT_ALL_SETTINGS_DIFFER.format(name=L.SETTING_NAMES_RT.get(key, key), theirs=value,
                                                               ours=led.setting(key) or ""),
                           L.IMPORT_ALL_SETTINGS_HINT)


def _setting_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---------------------------------------------------------------- what the command prints after an import


def summary_lines(outcome: Outcome) -> list[str]:
    """Chinese lines for the end of an import (dry run or not): each sheet's counts when import all read several,
    the columns no kind read, the places that could not be placed, and the sheets the workbook lacks."""
    lines = [L.SUMMARY_SHEET_LINE.format(sheet=s.sheet, added=s.added, unchanged=s.unchanged, errors=s.errors)
             for s in outcome.sheets]
    for sheet, columns in outcome.ignored_columns.items():
        lines.append(L.SUMMARY_IGNORED.format(sheet=sheet, columns="、".join(f"“{c}”" for c in columns)))
    if outcome.unplaced:
        places = list(dict.fromkeys(outcome.unplaced))
        shown = "、".join(f"“{p}”" for p in places[:10]) + ("……" if len(places) > 10 else "")
        lines.append(L.SUMMARY_UNPLACED.format(count=len(places), places=shown))
    if outcome.missing_sheets and outcome.kind == "all":
        lines.append(L.SUMMARY_MISSING_SHEETS.format(sheets="、".join(outcome.missing_sheets)))
    return lines
