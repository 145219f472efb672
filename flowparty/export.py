"""Writing the ledger out as workbooks a township accepts (xlsxwriter) or as CSV that Excel opens (UTF-8 BOM).

Every sheet is a Chinese header plus typed rows: dates are real dates, money is yuan with two decimals, and
text is always written as text, so a value beginning with = + - @ can never become a formula.
"""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from flowparty import labels as L
from flowparty.bounds import MAX_CELL_CHARS
from flowparty.db import Ledger, as_date
from flowparty.files import atomic_file, atomic_text, make_folder
from flowparty.integrity import CHECK_PASSED
from flowparty.text import display_width

TEXT, DATE, MONEY, NUMBER = "text", "date", "money", "number"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 50
EXCEL_EPOCH, EXCEL_LEAP_BUG_ENDS = date(1899, 12, 30), date(1900, 3, 1)  # day 0 of Excel's dates; its 1900-02-29


@dataclass
class Sheet:
    name: str
    headers: Sequence[str]
    types: Sequence[str]
    rows: list[Sequence]  # one tuple (or list) a row, a value per column: str, int, date, None


# ---------------------------------------------------------------- what each kind holds

_REGISTER_SQL = """
SELECT o.id, m.name, m.gender, m.id_number, m.phone AS member_phone, m.joined_on,
       o.left_on, o.province, o.city, o.address, o.reason, o.employer, o.unit_type, o.expected_return,
       o.phone AS away_phone, o.fixed_place, o.briefed,
       (SELECT c.card_no FROM cards c WHERE c.member_id = m.id AND c.issued_on <= :d
         AND (c.voided_on IS NULL OR c.voided_on > :d) ORDER BY c.issued_on DESC LIMIT 1) AS card_no,
       (SELECT c.issued_on FROM cards c WHERE c.member_id = m.id AND c.issued_on <= :d
         AND (c.voided_on IS NULL OR c.voided_on > :d) ORDER BY c.issued_on DESC LIMIT 1) AS card_issued,
       CASE WHEN o.ended_on <= :d THEN o.ended_on END AS ended_on,
       CASE WHEN o.ended_on <= :d THEN o.end_kind END AS end_kind,
       CASE WHEN o.inspected_on <= :d THEN o.inspected_on END AS inspected_on,
       CASE WHEN o.ended_on <= :d AND o.end_kind = 'transferred' THEN
         (SELECT t.to_org FROM transfers t WHERE t.member_id = o.member_id AND t.void_reason IS NULL
          AND t.transferred_on = o.ended_on ORDER BY t.id DESC LIMIT 1) END AS transfer_to,
       CASE WHEN o.ended_on <= :d THEN o.summary END AS summary
FROM outflows o JOIN members m ON m.id = o.member_id
WHERE o.left_on <= :d
ORDER BY o.ended_on IS NOT NULL AND o.ended_on <= :d, o.left_on, m.name, m.id_number
"""
_DUES_SQL = """
SELECT m.name, m.id_number, p.period, p.amount_fen, p.paid_on, p.paid_to, p.receipt
FROM dues p JOIN members m ON m.id = p.member_id WHERE p.paid_on <= :d AND p.void_reason IS NULL
ORDER BY m.name, m.id_number, p.period
"""
_REPORTS_SQL = """
SELECT m.name, m.id_number, r.reported_on, r.kind, r.summary
FROM reports r JOIN members m ON m.id = r.member_id WHERE r.reported_on <= :d AND r.void_reason IS NULL
ORDER BY r.reported_on, m.name, m.id_number, r.kind, r.summary
"""


def _all(led: Ledger, sql: str, as_of: date) -> list:
    return led.conn.execute(sql, {"d": as_of.isoformat()}).fetchall()


def _tuples(led: Ledger, sql: str, as_of: date) -> sqlite3.Cursor:
    """The rows as plain tuples (no sqlite3.Row made only to be taken apart)."""
    cursor = led.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, {"d": as_of.isoformat()})


def _maskers(mask: bool) -> tuple[Callable, Callable]:
    from flowparty.parse import mask_id, mask_phone

    if not mask:
        return (lambda v: v), (lambda v: v)
    return mask_id, (lambda v: mask_phone(v) if v else v)


def register(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    """外出流动党员登记簿: every outflow begun by the day, with its end when that came by the day. The place is
    written as 省, 市 and 详细地址 in three columns, so it reads back as it was; 状态 comes from how the outflow
    ended (never from a date); place, employer and phone as dated updates had them on the day."""
    from flowparty.asof import outflow_values

    ids, phones = _maskers(mask)
    updated = outflow_values(led, as_of)
    cursor = _tuples(led, _REGISTER_SQL, as_of)
    names = [column[0] for column in cursor.description]
    yes_no, status, day = L.YES_NO, L.REGISTER_STATUS, date.fromisoformat
    rows = []
    for n, row in enumerate(cursor, 1):
        if row[0] in updated:  # few outflows have dated updates: their fields as they stood on the day
            values = {("away_phone" if k == "phone" else k): v for k, v in updated[row[0]].items()}
            row = tuple(values.get(name, value) for name, value in zip(names, row))
        (_, name, gender, id_number, member_phone, joined_on, left_on, province, city, address, reason, employer,
         unit_type, expected_return, away_phone, fixed_place, briefed, card_no, card_issued, ended_on, end_kind,
         inspected_on, transfer_to, summary) = row
        rows.append((
            n, name, gender, ids(id_number), phones(away_phone or member_phone), day(joined_on) if joined_on else None,
            day(left_on) if left_on else None, province or None, city or None, address or None, reason, employer,
            unit_type, day(expected_return) if expected_return else None, phones(away_phone), yes_no[fixed_place],
            yes_no[briefed], card_no, day(card_issued) if card_issued else None, status[end_kind],
            day(ended_on) if ended_on and end_kind == "returned" else None, day(inspected_on) if inspected_on else None,
            day(ended_on) if ended_on and end_kind == "transferred" else None, transfer_to, summary))
    types = (NUMBER, TEXT, TEXT, TEXT, TEXT, DATE, DATE, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, DATE, TEXT, TEXT, TEXT,
             TEXT, DATE, TEXT, DATE, DATE, DATE, TEXT, TEXT)
    return Sheet(L.EXPORT_KINDS["register"], L.EXPORT_HEADERS["register"], types, rows)


def dues(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    ids, _ = _maskers(mask)
    rows = [[r["name"], ids(r["id_number"]), r["period"], r["amount_fen"], as_date(r["paid_on"]),
             L.PAID_TO_NAMES[r["paid_to"]], r["receipt"]] for r in _all(led, _DUES_SQL, as_of)]
    return Sheet(L.EXPORT_KINDS["dues"], L.EXPORT_HEADERS["dues"], (TEXT, TEXT, TEXT, MONEY, DATE, TEXT, TEXT), rows)


def reports(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    ids, _ = _maskers(mask)
    rows = [[r["name"], ids(r["id_number"]), as_date(r["reported_on"]), r["kind"], r["summary"]]
            for r in _all(led, _REPORTS_SQL, as_of)]
    return Sheet(L.EXPORT_KINDS["reports"], L.EXPORT_HEADERS["reports"], (TEXT, TEXT, DATE, TEXT, TEXT), rows)


def findings(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    """The audit on the day (flowparty.rules), one row per finding."""
    from flowparty import rules

    return findings_sheet(rules.run_audit(led, as_of), mask)


def findings_sheet(found: Iterable, mask: bool = False) -> Sheet:
    from flowparty.parse import mask_text

    ids, _ = _maskers(mask)
    texts = mask_text if mask else (lambda v: v)  # a message may repeat a phone or another member's 身份证号
    rows = [[f.code, L.RULE_TEXT[f.code]["title"], L.SEVERITY[f.severity], f.member_name, ids(f.id_number) if f.id_number else None,
             texts(_message_in_a_cell(f)), f.hint, f.since] for f in found]
    return Sheet(L.EXPORT_KINDS["findings"], L.EXPORT_HEADERS["findings"],
                 (TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, DATE), rows)


def _message_in_a_cell(f) -> str:
    """The message, its list of names cut to fit Excel's 32,767 characters a cell (FP402 names everyone away in a
    city: a township's biggest city has over ten thousand), saying how many more --json names."""
    text = f.message
    if len(text) <= MAX_CELL_CHARS:
        return text
    names = f.details["names"].split("、")
    room = MAX_CELL_CHARS - (len(text) - len(f.details["names"])) - len(L.XLSX_NAMES_MORE) - 8  # 8: the count
    shown = 0
    while len(names[shown]) + 1 <= room:
        room -= len(names[shown]) + 1
        shown += 1
    return f.message_naming(shown, L.XLSX_NAMES_MORE)


# ---------------------------------------------------------------- every other kind (export all; import all reads them)

ROUNDTRIP_SKIPPED_SETTINGS = ("demo", CHECK_PASSED)  # settings about the file itself, not about the branch


def settings(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    """台账设置: what init wrote (and settings set changed), so import all can set up a fresh ledger alike."""
    rows = [[r["key"], L.SETTING_NAMES_RT.get(r["key"]), r["value"]]
            for r in led.all("SELECT key, value FROM settings ORDER BY key")
            if r["key"] not in ROUNDTRIP_SKIPPED_SETTINGS]
    return Sheet(L.EXPORT_KINDS["settings"], L.EXPORT_HEADERS["settings"], (TEXT, TEXT, TEXT), rows)


def roster(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    """党员名册: every member with category, probation end, quarterly payment, occupation and status."""
    ids, phones = _maskers(mask)
    found = led.all("SELECT * FROM members ORDER BY name, id_number")
    rows = [[n, r["name"], r["gender"], ids(r["id_number"]), phones(r["phone"]), L.CATEGORY[r["category"]],
             as_date(r["joined_on"]), as_date(r["probation_ends"]), L.YES_NO[r["quarterly"]], r["occupation"],
             L.STATUS[r["status"]], as_date(r["added_on"]), r["notes"]] for n, r in enumerate(found, 1)]
    return Sheet(L.EXPORT_KINDS["roster"], L.EXPORT_HEADERS["roster"],
                 (NUMBER, TEXT, TEXT, TEXT, TEXT, TEXT, DATE, DATE, TEXT, TEXT, TEXT, DATE, TEXT), rows)


def _member_rows(kind: str, sql: str, types: tuple, cells: Callable) -> Callable[[Ledger, date, bool], Sheet]:
    """A sheet of one kind of record, each row beginning with the member's 姓名 and 身份证号."""

    def sheet(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
        ids, _ = _maskers(mask)
        rows = [[r["name"], ids(r["id_number"]), *cells(r)] for r in _all(led, sql, as_of)]
        return Sheet(L.EXPORT_KINDS[kind], L.EXPORT_HEADERS[kind], (TEXT, TEXT, *types), rows)

    sheet.__name__ = kind
    return sheet


_WHO = "SELECT m.name, m.id_number, {columns} FROM {table} JOIN members m ON m.id = {alias}.member_id"
cards = _member_rows("cards", _WHO.format(
    columns="c.card_no, c.issued_on, c.committee, CASE WHEN c.voided_on <= :d THEN c.voided_on END AS voided_on,"
            " CASE WHEN c.voided_on <= :d THEN c.void_reason END AS void_reason,"
            " (SELECT o.left_on FROM outflows o WHERE o.id = c.outflow_id) AS left_on",
    table="cards c", alias="c") + " WHERE c.issued_on <= :d ORDER BY c.issued_on, c.card_no",
    (TEXT, DATE, DATE, TEXT, DATE, TEXT),
    lambda r: [r["card_no"], as_date(r["issued_on"]), as_date(r["left_on"]), r["committee"],
               as_date(r["voided_on"]), r["void_reason"]])
reviews = _member_rows("reviews", _WHO.format(
    columns="c.card_no, v.reviewed_on, v.reviewer, v.result, v.note",
    table="card_reviews v JOIN cards c ON c.id = v.card_id", alias="c")
    + " WHERE v.reviewed_on <= :d AND v.void_reason IS NULL ORDER BY c.card_no, v.reviewed_on, v.result, v.reviewer",
    (TEXT, DATE, TEXT, TEXT, TEXT),
    lambda r: [r["card_no"], as_date(r["reviewed_on"]), r["reviewer"], r["result"], r["note"]])
checkins = _member_rows("checkins", _WHO.format(
    columns="k.checked_in_on, k.org, k.branch, k.verified, k.filed,"
            " (SELECT o.left_on FROM outflows o WHERE o.id = k.outflow_id) AS left_on",
    table="checkins k", alias="k") + " WHERE k.checked_in_on <= :d AND k.void_reason IS NULL ORDER BY k.checked_in_on, m.name, m.id_number, k.org",
    (DATE, TEXT, TEXT, TEXT, TEXT, DATE),
    lambda r: [as_date(r["checked_in_on"]), r["org"], r["branch"], L.YES_NO[r["verified"]], L.YES_NO[r["filed"]],
               as_date(r["left_on"])])
contacts = _member_rows("contacts", _WHO.format(
    columns="x.contacted_on, x.channel, x.note", table="contacts x", alias="x")
    + " WHERE x.contacted_on <= :d AND x.void_reason IS NULL ORDER BY x.contacted_on, m.name, m.id_number, x.channel, x.note",
    (DATE, TEXT, TEXT), lambda r: [as_date(r["contacted_on"]), r["channel"], r["note"]])
org_life = _member_rows("org_life", _WHO.format(
    columns="g.held_on, g.kind, g.place", table="org_life g", alias="g")
    + " WHERE g.held_on <= :d AND g.void_reason IS NULL ORDER BY g.held_on, m.name, m.id_number, g.kind, g.place",
    (DATE, TEXT, TEXT), lambda r: [as_date(r["held_on"]), r["kind"], L.PLACE_NAMES[r["place"]]])
inflows = _member_rows("inflows", _WHO.format(
    columns="i.origin_org, i.origin_card_no, i.arrived_on, i.branch,"
            " CASE WHEN i.verified_on <= :d THEN i.verified_on END AS verified_on,"
            " CASE WHEN i.ended_on <= :d THEN i.ended_on END AS ended_on", table="inflows i", alias="i")
    + " WHERE i.arrived_on <= :d ORDER BY i.arrived_on, m.name, m.id_number",
    (TEXT, TEXT, DATE, TEXT, DATE, DATE),
    lambda r: [r["origin_org"], r["origin_card_no"], as_date(r["arrived_on"]), r["branch"],
               as_date(r["verified_on"]), as_date(r["ended_on"])])
feedback = _member_rows("feedback", _WHO.format(columns="f.sent_on, f.note", table="feedback f", alias="f")
                        + " WHERE f.sent_on <= :d AND f.void_reason IS NULL ORDER BY f.sent_on, m.name, m.id_number, f.note",
                        (DATE, TEXT), lambda r: [as_date(r["sent_on"]), r["note"]])
dues_standards = _member_rows("dues_standards", _WHO.format(
    columns="s.year, s.kind, s.base_fen, s.monthly_fen, s.set_on", table="dues_standards s", alias="s")
    + " WHERE s.set_on <= :d ORDER BY s.year, m.name, m.id_number",
    (NUMBER, TEXT, MONEY, MONEY, DATE),
    lambda r: [r["year"], L.DUES_KINDS[r["kind"]], r["base_fen"], r["monthly_fen"], as_date(r["set_on"])])
conversions = _member_rows("conversions", _WHO.format(
    columns="v.decided_on, v.outcome, v.new_end, CASE WHEN v.outcome = 'extended' THEN"
            " (SELECT json_extract(h.old_values, '$.probation_ends') FROM history h WHERE h.member_id = m.id"
            " AND h.table_name = 'members' AND h.action = 'update'"
            " AND json_extract(h.old_values, '$.probation_ends') IS NOT NULL ORDER BY h.id LIMIT 1) END AS old_end",
    table="conversions v", alias="v") + " WHERE v.decided_on <= :d ORDER BY v.decided_on, m.name, m.id_number",
    (DATE, TEXT, DATE, DATE), lambda r: [as_date(r["decided_on"]), L.OUTCOMES[r["outcome"]], as_date(r["new_end"]),
                                         as_date(r["old_end"])])


def groups(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    ids, _ = _maskers(mask)
    rows = [[r["name"], r["city"], r["leader"], ids(r["leader_id_number"]), as_date(r["formed_on"])] for r in led.all(
        "SELECT g.name, g.city, m.name AS leader, m.id_number AS leader_id_number, g.formed_on FROM groups g"
        " JOIN members m ON m.id = g.leader_id WHERE g.formed_on <= ? ORDER BY g.name", [as_of])]
    return Sheet(L.EXPORT_KINDS["groups"], L.EXPORT_HEADERS["groups"], (TEXT, TEXT, TEXT, TEXT, DATE), rows)


def group_members(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    ids, _ = _maskers(mask)
    rows = [[r["group_name"], r["name"], ids(r["id_number"])] for r in led.all(
        "SELECT g.name AS group_name, m.name, m.id_number FROM group_members gm JOIN groups g ON g.id = gm.group_id"
        " JOIN members m ON m.id = gm.member_id WHERE g.formed_on <= ? ORDER BY g.name, m.name, m.id_number",
        [as_of])]
    return Sheet(L.EXPORT_KINDS["group_members"], L.EXPORT_HEADERS["group_members"], (TEXT, TEXT, TEXT), rows)


def outflow_changes(led: Ledger, as_of: date, mask: bool = False) -> Sheet:
    """外出变更: each dated update (update-outflow) by the day, one row per field with its value before and after,
    so import all can rebuild the outflow as registered and each update from its date."""
    import json

    from flowparty.db import UPDATED_FIELDS

    ids, _ = _maskers(mask)
    rows, current = [], {}
    for r in _all(led, "SELECT m.name, m.id_number, o.id AS outflow_id, o.left_on, u.changed_on, u.new_values, "
                       + ", ".join(f"o.{f} AS reg_{f}" for f in UPDATED_FIELDS)
                       + " FROM outflow_changes u JOIN outflows o ON o.id = u.outflow_id JOIN members m"
                         " ON m.id = u.member_id WHERE u.changed_on <= :d AND u.void_reason IS NULL"
                         " AND u.new_values IS NOT NULL ORDER BY m.name, m.id_number, o.left_on, u.changed_on, u.id",
                       as_of):
        values = current.setdefault(r["outflow_id"], {f: r[f"reg_{f}"] for f in UPDATED_FIELDS})
        for field, new in json.loads(r["new_values"]).items():
            rows.append([r["name"], ids(r["id_number"]), as_date(r["left_on"]), as_date(r["changed_on"]),
                         L.column(field), _change_text(field, values.get(field)), _change_text(field, new)])
            values[field] = new
    return Sheet(L.EXPORT_KINDS["outflow_changes"], L.EXPORT_HEADERS["outflow_changes"],
                 (TEXT, TEXT, DATE, DATE, TEXT, TEXT, TEXT), rows)


def _change_text(field: str, value: object) -> str | None:
    if field == "fixed_place":
        return L.YES_NO[bool(value)]
    return None if value in (None, "") else str(value)


# What `export all` writes, in the order import all reads it back (findings last: read by nobody).
KINDS: dict[str, Callable[[Ledger, date, bool], Sheet]] = {
    "settings": settings, "roster": roster, "register": register, "outflow_changes": outflow_changes,
    "cards": cards, "reviews": reviews,
    "checkins": checkins, "dues": dues, "reports": reports, "contacts": contacts, "org_life": org_life,
    "inflows": inflows, "feedback": feedback, "groups": groups, "group_members": group_members,
    "dues_standards": dues_standards, "conversions": conversions, "findings": findings,
}


# ---------------------------------------------------------------- writers


def cell_width(value: object) -> int:
    """Columns a cell's value takes on screen (a date as written)."""
    return display_width(value.isoformat() if isinstance(value, date) else str(value))


def _widths(sheet: Sheet, columns: Sequence[Sequence]) -> list[int]:
    """Each column's width: its widest header or value on screen (a date as written), two more, at most MAX_WIDTH.

    Read by column over the distinct values: a value of narrow characters is as wide as it is long, and one of
    n characters takes at most 2n columns, so the values are measured longest first until 2n is no wider than
    the widest found (or the widest allowed): no shorter value can be wider, and the rest go uncounted."""
    widths = [cell_width(h) for h in sheet.headers]
    for i, column in enumerate(columns):
        values = set(column)
        values.discard(None)
        if not values:
            continue
        if sheet.types[i] == MONEY:
            values = {"000000.00"}
        texts = {v if v.__class__ is str else v.isoformat() if isinstance(v, date) else str(v) for v in values}
        best = max(widths[i], max(map(len, texts)))  # the width of the longest, were it all narrow characters
        for text in sorted(texts, key=len, reverse=True):
            if 2 * len(text) <= best or best >= MAX_WIDTH - 2:
                break
            if not text.isascii():
                best = max(best, display_width(text))
        widths[i] = best
    return [min(w + 2, MAX_WIDTH) for w in widths]


_ORDINAL_OF_EPOCH = EXCEL_EPOCH.toordinal()


def _xlsx_column(values: Sequence, kind: str) -> tuple[Sequence, str | None]:
    """A column's values as the workbook stores them, and how to write them: "number" (a date as its Excel
    serial number, money in yuan, a whole number), "string" (text as str), or None when the column mixes kinds
    and each cell is written by its own (_write_cell: a day before 1 March 1900, Excel's leap-year bug, or a
    value of another type in a column)."""
    kinds = set(map(type, values)) - {type(None)}
    if kind == DATE and kinds <= {date} and all(v is None or v >= EXCEL_LEAP_BUG_ENDS for v in values):
        return [v.toordinal() - _ORDINAL_OF_EPOCH if v is not None else None for v in values], "number"
    if kind == MONEY and kinds <= {int, float}:
        return [v / 100 if v is not None else None for v in values], "number"
    if kind == NUMBER and kinds <= {int}:
        return values, "number"
    if kind == TEXT and kinds <= {str}:
        return values, "string"
    return values, None


@atomic_file  # path arrives as a private temporary file, renamed into place when the workbook is whole
def write_xlsx(path: Path, sheets: Sequence[Sheet],
               progress: Callable[[Iterable, int], Iterator] = lambda rows, total: iter(rows)) -> None:
    """One worksheet per sheet: bold frozen header, fitted widths, dates as dates, money as money, text as text.

    One pass over the rows: the widths are read by column first (_widths), each column's values arrive typed
    (_xlsx_column), and each cell goes straight to xlsxwriter's undecorated _write_string/_write_number with its
    column's format, without the A1-notation decorator of write_string and the type dispatch of write/write_row
    (measured: write_row was slower than this loop). Those two methods are private, so pyproject.toml pins
    xlsxwriter below 4; a column of mixed kinds is written cell by cell through the public methods."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    formats = {DATE: book.add_format({"num_format": "yyyy-mm-dd"}), MONEY: book.add_format({"num_format": "0.00"}),
               TEXT: book.add_format({"num_format": "@"}), NUMBER: None}
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name[:31])
        columns = list(zip(*sheet.rows)) or [() for _ in sheet.headers]  # by column, at C speed
        for col, width in enumerate(_widths(sheet, columns)):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        for col, title in enumerate(sheet.headers):
            ws.write_string(0, col, title, header)
        typed, writers = [], []
        for col, (values, kind) in enumerate(zip(columns, sheet.types)):
            values, how = _xlsx_column(values, kind)
            typed.append(values)
            fmt = formats[kind]
            writers.append(ws._write_number if how == "number" else ws._write_string if how == "string" else
                           (lambda r, c, v, f, kind=kind: _write_cell(ws, r, c, v, kind, formats)))
        cells = list(zip(writers, [formats[kind] for kind in sheet.types]))
        for r, row in enumerate(progress(zip(*typed), len(sheet.rows)), 1):
            for col, value in enumerate(row):
                if value is not None:
                    write, fmt = cells[col]
                    write(r, col, value, fmt)
        if sheet.rows:
            ws.autofilter(0, 0, len(sheet.rows), len(sheet.headers) - 1)
    book.close()


def _write_cell(ws, r: int, col: int, value: object, kind: str, formats: dict) -> None:
    if kind == DATE and isinstance(value, date):
        if value >= EXCEL_LEAP_BUG_ENDS:  # the serial number write_datetime would store, without its slow path
            ws.write_number(r, col, (value - EXCEL_EPOCH).days, formats[DATE])
        else:
            ws.write_datetime(r, col, value, formats[DATE])
    elif kind == MONEY:
        ws.write_number(r, col, value / 100, formats[MONEY])
    elif kind == NUMBER and isinstance(value, int):
        ws.write_number(r, col, value)
    else:
        ws.write_string(r, col, str(value), formats[TEXT])


def csv_text(value: object, kind: str) -> str:
    """A CSV cell as Excel should show it: money in yuan, and text that would start a formula quoted with '."""
    if value is None:
        return ""
    if kind == MONEY:
        from flowparty.parse import format_fen

        return format_fen(value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(folder: Path, sheets: Sequence[Sheet],
              progress: Callable[[Iterable, int], Iterator] = lambda rows, total: iter(rows)) -> list[Path]:
    """One UTF-8 (with BOM, so Excel detects it) CSV file per sheet, named after the sheet."""
    make_folder(folder)
    written = []
    for sheet in sheets:
        path = folder / f"{sheet.name}.csv"
        with atomic_text(path, encoding="utf-8-sig", newline="") as handle:  # private, whole or not at all
            out = csv.writer(handle)
            out.writerow(sheet.headers)
            for row in progress(sheet.rows, len(sheet.rows)):
                out.writerow([csv_text(v, t) for v, t in zip(row, sheet.types)])
        written.append(path)
    return written


ID_KEYS, PHONE_KEYS = ("id_number", "leader_id"), ("phone", "away_phone")  # the columns --mask-ids hides


def _masked_error(error, mask: bool) -> tuple[str, str]:
    """An error's value and message as the report shows them: with --mask-ids, any 身份证号 or phone in them is
    hidden, and a value in an ID or phone column that is no whole ID (a digit short) keeps only its ends."""
    if not mask:
        return error.value, error.message
    from flowparty.parse import mask_phone, mask_text
    from flowparty.sheets import header_key

    value = mask_text(error.value)
    if value == error.value and header_key(error.column) in (*ID_KEYS, *PHONE_KEYS):
        value = mask_phone(value)
    message = error.message.replace(error.value, value) if error.value and value != error.value else error.message
    return value, mask_text(message)  # the message repeats the cell, as it was typed


@atomic_file
def write_errors(path: Path, errors: Sequence, mask: bool = False) -> None:
    """The rows an import refused, as a workbook: sheet, row, column, value and the problem, the bad cells red;
    with mask, 身份证号 and phones are hidden in the middle (as export --mask-ids hides them)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "@"})
    text = book.add_format({"num_format": "@"})
    ws = book.add_worksheet(L.ERRORS_SHEET)
    ws.freeze_panes(1, 0)
    for col, title in enumerate(L.ERRORS_HEADERS):
        ws.write_string(0, col, title, header)
    rows = [[e.sheet, e.row, e.column, *_masked_error(e, mask)] for e in errors]
    for r, (sheet, row, column, value, message) in enumerate(rows, 1):
        ws.write_string(r, 0, sheet, text)
        ws.write_number(r, 1, row)
        ws.write_string(r, 2, column, text)
        ws.write_string(r, 3, value, bad)
        ws.write_string(r, 4, message, text)
    for col, width in enumerate(_widths(Sheet("", L.ERRORS_HEADERS, (TEXT,) * 5, rows), list(zip(*rows)))):
        ws.set_column(col, col, width)
    book.close()


# ---------------------------------------------------------------- templates


def template_path(kind: str) -> Path:
    """The shipped template of an import kind: in the installed package, or the repository's templates/."""
    from importlib import resources

    name = f"{kind}.xlsx"
    try:
        shipped = resources.files("flowparty") / "templates" / name
        if shipped.is_file():
            return Path(str(shipped))
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - the package is always importable
        pass
    return Path(__file__).resolve().parent.parent / "templates" / name


def write_template(kind: str, keys: Sequence[str], required: Sequence, path: Path) -> None:
    """An empty register of one kind, headers in the first row, and a sheet of notes on the formats."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    needed = {k for need in required for k in (need if isinstance(need, tuple) else (need,))}
    book = Workbook()
    ws = book.active
    ws.title = L.IMPORT_KINDS[kind]
    for col, key in enumerate(keys, 1):
        cell = ws.cell(1, col, L.HEADER_ALIASES[key][0])
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[cell.column_letter].width = 22 if key in ("id_number", "destination") else 14
        if key in ("id_number", "phone"):
            for row in range(2, 201):  # text cells, so Excel keeps all 18 digits and a leading 0
                ws.cell(row, col).number_format = "@"
    ws.freeze_panes = "A2"
    notes = book.create_sheet(L.TEMPLATE_NOTES_SHEET)
    notes.append(L.TEMPLATE_NOTES_HEADERS)
    for key in keys:
        notes.append((L.HEADER_ALIASES[key][0], L.TEMPLATE_REQUIRED if key in needed else L.TEMPLATE_OPTIONAL,
                      L.TEMPLATE_NOTES[key]))
    notes.append(())
    for line in L.TEMPLATE_GENERAL_NOTES:
        notes.append(("", "", line))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["C"].width = 90
    book.save(path)
