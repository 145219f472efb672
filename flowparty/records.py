"""The steps a branch records (SPEC §2): each function checks its input against the ledger and writes rows.

Functions take parsed values (dates, Months, fen) and must run inside Ledger.transaction(); they raise
BadInput, with nothing written, when a step does not fit the member's state (returning a member who is home).
The command line and the importers both come through here, so a rule of the ledger is checked in one place.
"""

from __future__ import annotations

import json
import sqlite3
import time as _time
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, NamedTuple

from flowparty import labels as L
from flowparty.asof import outflow_on
from flowparty.db import Ledger, as_date, to_sql
from flowparty.errors import BadInput
from flowparty.parse import (
    Destination,
    clean_name,
    clean_text,
    Month,
    birth_date_from_id,
    fold,
    format_fen,
    gender_from_id,
    mask_id,
    parse_id_number,
    split_fen,
)

Member = sqlite3.Row

DEFAULT_REPORT_MONTHS = 12


_today: list = [None, 0.0]  # the day, and the time.time() at which it ends (the next local midnight)


def today() -> date:
    """The local date, computed again only after midnight: an import checks a date or two a row against it."""
    now = _time.time()
    if now >= _today[1]:
        day = date.fromtimestamp(now)
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time()).timestamp()
        _today[0], _today[1] = day, midnight
    return _today[0]


# ---------------------------------------------------------------- checks shared by the steps


def _not_future(day: date, field: str) -> None:
    if day > today():
        raise BadInput(L.DATE_IN_FUTURE.format(field=field, value=day.isoformat()))


def _not_before(day: date, field: str, earlier: date | None, earlier_field: str) -> None:
    if earlier and day < earlier:
        raise BadInput(L.DATE_BEFORE.format(field=field, value=day.isoformat(), other=earlier_field,
                                            other_value=earlier.isoformat()))


def _required(value: str | None, field: str) -> str:
    """A name that must be given (a person's, an organisation's): one line, no control characters, not too long."""
    text = clean_name(value, field) if value is not None else ""
    if not text:
        raise BadInput(L.EMPTY_FIELD.format(field=field))
    return text


def _optional(value: str | None, field: str = L.FIELD_TEXT) -> str | None:
    """Free text that may be left out (notes, employer, summary): no control characters, not too long."""
    text = clean_text(value, field) if value is not None else ""
    return text or None


def _refuse_inactive(member: Member) -> None:
    """Transferred-out and cancelled members stay in the ledger but take no new records."""
    if member["status"] == "transferred":
        raise BadInput(L.MEMBER_TRANSFERRED.format(name=member["name"]))
    if member["category"] == "cancelled":
        raise BadInput(L.MEMBER_CANCELLED.format(name=member["name"]))


# ---------------------------------------------------------------- the ledger's settings


def initialize(led: Ledger, *, branch: str, committee: str, code: str | None, since: Month,
               report_months: int = DEFAULT_REPORT_MONTHS, home_province: str | None = None,
               home_city: str | None = None) -> None:
    """Write the settings of a new ledger: who keeps it, who stamps its cards, and since when it is complete."""
    if report_months not in (6, 12):
        raise BadInput(L.BAD_REPORT_MONTHS.format(value=report_months))
    code = _optional(code) or "0000"
    if not code.isalnum():
        raise BadInput(L.BAD_BRANCH_CODE.format(value=code))
    for key, value in {
        "branch": _required(branch, L.FIELD_BRANCH_NAME),
        "committee": _required(committee, L.FIELD_COMMITTEE),
        "code": code,
        "since": str(since),
        "report_months": report_months,
        "home_province": _optional(home_province) or "",
        "home_city": _optional(home_city) or "",
        "created_on": today(),
    }.items():
        led.set_setting(key, value)


def since_month(led: Ledger) -> Month:
    text = led.setting("since")
    year, month = text.split("-")
    return Month(int(year), int(month))


# ---------------------------------------------------------------- finding members


def looks_like_id_number(ref: str) -> bool:
    text = fold(ref).replace(" ", "")
    return len(text) == 18 and text[:17].isdigit()


def find_member(led: Ledger, ref: str) -> Member:
    """A member named by 身份证号, or by name when the name is unique in the ledger."""
    text = fold(ref)
    if not text:
        raise BadInput(L.EMPTY_FIELD.format(field=L.FIELD_MEMBER))
    column, value = member_key(text)
    rows = led.all(f"SELECT * FROM members WHERE {column} = ? ORDER BY id", [value])
    if not rows:
        close = similar_members(led, value)
        if close:
            raise BadInput(L.MEMBER_NOT_FOUND_ID.format(value=ref) if column == "id_number" else
                           L.MEMBER_NOT_FOUND_NAME.format(value=ref),
                           L.MEMBER_SUGGEST.format(candidates="；".join(_candidate(r) for r in close)))
    return one_member(ref, rows)


def _candidate(row) -> str:
    return L.CANDIDATE.format(name=row["name"], id=mask_id(row["id_number"]), status=L.STATUS[row["status"]])


def find_text(led: Ledger, text: str, limit: int = 50) -> list[Member]:
    """member find: members whose name, 身份证号 or phone holds the text."""
    needle = fold(text).replace(" ", "")
    if not needle:
        raise BadInput(L.EMPTY_FIELD.format(field=L.FIELD_FIND))
    like = f"%{needle.upper() if needle[-1:].lower() == 'x' else needle}%"
    return led.all("SELECT * FROM members WHERE name LIKE ? OR id_number LIKE ? OR phone LIKE ? ORDER BY name, id"
                   " LIMIT ?", [like, like, like, limit])


def names_starting(led: Ledger, prefix: str, limit: int = 50) -> list[str]:
    """Shell completion of MEMBER: the names (or, for digits, the 身份证号) that start with what was typed."""
    column = "id_number" if prefix[:1].isdigit() else "name"
    return [row[0] for row in led.conn.execute(
        f"SELECT DISTINCT {column} FROM members WHERE {column} LIKE ? ESCAPE '\\' ORDER BY {column} LIMIT ?",
        [prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit])]


def similar_members(led: Ledger, value: str, count: int = 5) -> list[Member]:
    """The members whose name or 身份证号 is closest to a reference that matched nobody (a typo, a missing digit)."""
    import difflib

    column = "id_number" if value[:6].isdigit() else "name"
    known = {row[0]: row[1] for row in led.conn.execute(f"SELECT {column}, id FROM members")}
    close = difflib.get_close_matches(value, list(known), n=count, cutoff=0.5 if column == "name" else 0.8)
    return [led.get("members", known[k]) for k in close]


def member_key(ref: str) -> tuple[str, str]:
    """The column and value a reference is looked up by: ('id_number', …) or ('name', …)."""
    text = fold(ref)
    if looks_like_id_number(text):
        return "id_number", text.replace(" ", "").upper()
    return "name", text


def one_member(ref: str, rows: list[Member]) -> Member:
    """The member a reference names, among the rows with that 身份证号 (or that name, in id order)."""
    if looks_like_id_number(fold(ref)):
        if not rows:
            raise BadInput(L.MEMBER_NOT_FOUND_ID.format(value=ref), L.MEMBER_NOT_FOUND_HINT)
        return rows[0]
    if not rows:
        raise BadInput(L.MEMBER_NOT_FOUND_NAME.format(value=ref), L.MEMBER_NOT_FOUND_HINT)
    if len(rows) > 1:
        candidates = "；".join(
            L.CANDIDATE.format(name=r["name"], id=mask_id(r["id_number"]), status=L.STATUS[r["status"]])
            for r in rows
        )
        raise BadInput(L.MEMBER_AMBIGUOUS.format(value=ref, count=len(rows), candidates=candidates),
                       L.MEMBER_AMBIGUOUS_HINT)
    return rows[0]


def reload(led: Ledger, member: Member) -> Member:
    return led.get("members", member["id"])


# ---------------------------------------------------------------- 1. roster


def add_member(led: Ledger, *, name: str, id_number: str, gender: str | None = None, phone: str | None = None,
               joined: date | None = None, probationary: bool = False, probation_ends: date | None = None,
               quarterly: bool = False, occupation: str | None = None, notes: str | None = None,
               status: str = "home", added_on: date | None = None) -> int:
    """Put a member on the roster; the birth date (and, when not given, the gender) come from the 身份证号."""
    row = check_new_member(
        name=name, id_number=id_number, gender=gender, phone=phone, joined=joined, probationary=probationary,
        probation_ends=probation_ends, quarterly=quarterly, occupation=occupation, notes=notes, status=status,
        added_on=added_on, on_roster=lambda number: led.one("SELECT 1 FROM members WHERE id_number = ?", [number]),
    )
    return led.insert("members", {**row, "batch_id": led.batch_id})


def check_new_member(*, name: str, id_number: str, on_roster: Callable[[str], object], gender: str | None = None,
                     phone: str | None = None, joined: date | None = None, probationary: bool = False,
                     probation_ends: date | None = None, quarterly: bool = False, occupation: str | None = None,
                     notes: str | None = None, status: str = "home", added_on: date | None = None) -> dict:
    """The checks of add_member, without writing: the new members row (no batch_id), or BadInput.

    on_roster(id_number) says whether the 身份证号 is taken; an import answers it from the rows it has loaded.
    """
    name = _required(name, L.FIELD_NAME)
    id_number = parse_id_number(id_number)
    if on_roster(id_number):
        raise BadInput(L.MEMBER_EXISTS.format(id=id_number), L.MEMBER_EXISTS_HINT)
    id_gender = gender_from_id(id_number)
    if gender and gender != id_gender:
        raise BadInput(L.GENDER_MISMATCH.format(gender=gender, id=id_number, id_gender=id_gender))
    birth = birth_date_from_id(id_number)
    if joined:
        _not_future(joined, L.FIELD_JOINED)
        _not_before(joined, L.FIELD_JOINED, birth, L.FIELD_BIRTH)
    if probationary:
        if probation_ends is None:
            if joined is None:
                raise BadInput(L.PROBATION_END_NEEDED)
            probation_ends = _one_year_after(joined)
        _not_before(probation_ends, L.FIELD_PROBATION_ENDS, joined, L.FIELD_JOINED)
    elif probation_ends:
        raise BadInput(L.PROBATION_END_FOR_FULL)
    return {
        "id_number": id_number, "name": name, "gender": id_gender, "birth_date": birth,
        "phone": phone, "category": "probationary" if probationary else "full", "joined_on": joined,
        "probation_ends": probation_ends, "quarterly": quarterly, "status": status,
        "occupation": _optional(occupation), "notes": _optional(notes), "added_on": added_on or today(),
    }


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def set_quarterly(led: Ledger, member: Member, quarterly: bool) -> None:
    led.update("members", member["id"], {"quarterly": quarterly})


# ---------------------------------------------------------------- 2. outflow, 8. change, 9. return, 10. transfer


def active_outflow(led: Ledger, member_id: int) -> sqlite3.Row | None:
    return led.one("SELECT * FROM outflows WHERE member_id = ? AND ended_on IS NULL", [member_id])


def _require_away(led: Ledger, member: Member) -> sqlite3.Row:
    return _away(member, active_outflow(led, member["id"]))


def _away(member: Member, outflow):
    """The member's active outflow; a member without one is not away."""
    if outflow is None:
        raise BadInput(L.NOT_AWAY.format(name=member["name"], status=L.STATUS[member["status"]]),
                       L.NOT_AWAY_HINT)
    return outflow


def register_outflow(led: Ledger, member: Member, *, destination: Destination, reason: str, left_on: date,
                     employer: str | None = None, phone: str | None = None, until: date | None = None,
                     fixed: bool = False, briefed: bool = False, unit_type: str | None = None) -> int:
    """外出登记: the member leaves; the destination, reason and contact while away are kept."""
    last = led.scalar("SELECT max(ended_on) FROM outflows WHERE member_id = ?", [member["id"]])
    row = check_outflow(member, last_return=as_date(last), destination=destination, reason=reason,
                        left_on=left_on, employer=employer, phone=phone, until=until, fixed=fixed,
                        briefed=briefed, unit_type=unit_type)
    outflow_id = led.insert("outflows", {"member_id": member["id"], **row, "batch_id": led.batch_id})
    led.update("members", member["id"], {"status": "away"})
    return outflow_id


def check_outflow(member: Member, *, last_return: date | None, destination: Destination, reason: str,
                  left_on: date, employer: str | None = None, phone: str | None = None, until: date | None = None,
                  fixed: bool = False, briefed: bool = False, unit_type: str | None = None) -> dict:
    """The checks of register_outflow over the member's state and their last return: the outflows row
    (no member_id, no batch_id), or BadInput."""
    _refuse_inactive(member)
    if member["status"] == "away":
        raise BadInput(L.ALREADY_AWAY.format(name=member["name"]), L.ALREADY_AWAY_HINT)
    if member["status"] == "inflow":
        raise BadInput(L.INFLOW_CANNOT_LEAVE.format(name=member["name"]))
    _not_future(left_on, L.FIELD_LEFT_ON)
    _not_before(left_on, L.FIELD_LEFT_ON, last_return, L.FIELD_LAST_RETURN)
    if until:
        _not_before(until, L.FIELD_UNTIL, left_on, L.FIELD_LEFT_ON)
    if not destination.province and not destination.city and not destination.detail:
        raise BadInput(L.EMPTY_FIELD.format(field=L.FIELD_DESTINATION))
    return {
        "reason": reason, "province": destination.province, "city": destination.city,
        "address": destination.detail, "employer": _optional(employer), "unit_type": unit_type,
        "left_on": left_on, "expected_return": until, "phone": phone, "fixed_place": fixed, "briefed": briefed,
    }


def update_outflow(led: Ledger, member: Member, *, changed_on: date, destination: Destination | None = None,
                   employer: str | None = None, phone: str | None = None, fixed: bool | None = None,
                   unit_type: str | None = None) -> dict:
    """变更: a new place, employer or phone while away, from its date on (SPEC §7: an update, not a correction).

    The outflow keeps what was registered; the change holds the new values, so an audit of an earlier day still
    sees the old place. Returns the fields that changed."""
    outflow = _require_away(led, member)
    _not_future(changed_on, L.FIELD_DATE)
    _not_before(changed_on, L.FIELD_DATE, as_date(outflow["left_on"]), L.FIELD_LEFT_ON)
    changes: dict = {}
    if destination is not None:
        changes.update(province=destination.province, city=destination.city, address=destination.detail)
    if employer is not None:
        changes["employer"] = _optional(employer)
    if phone is not None:
        changes["phone"] = phone
    if fixed is not None:
        changes["fixed_place"] = fixed
    if unit_type is not None:
        changes["unit_type"] = unit_type
    if not changes:
        raise BadInput(L.NOTHING_TO_CHANGE)
    before = outflow_on(led, outflow, changed_on)
    changed = {k: to_sql(v) for k, v in changes.items() if to_sql(v) != before[k]}
    if not changed:
        raise BadInput(L.NOTHING_CHANGED)
    led.insert("outflow_changes", {"outflow_id": outflow["id"], "member_id": member["id"], "changed_on": changed_on,
                                   "fields": ",".join(changed), "new_values": json.dumps(changed, ensure_ascii=False)})
    return changed


def return_home(led: Ledger, member: Member, *, returned_on: date, inspected: bool = False,
                summary: str | None = None) -> None:
    """返回: the outflow ends; the card is inspected now (--inspected) or later with inspect-card."""
    outflow = active_outflow(led, member["id"])
    card = valid_card(led, member["id"])
    check_return(member, outflow, returned_on, as_date(card["issued_on"]) if card else None)
    led.update("outflows", outflow["id"], {"ended_on": returned_on, "end_kind": "returned",
                                           "summary": _optional(summary)})
    if inspected:
        _inspect(led, member, outflow, returned_on)
    led.update("members", member["id"], {"status": "home"})


def check_return(member: Member, outflow, returned_on: date, card_issued: date | None = None) -> None:
    """The checks of return_home over the member's active outflow (None when not away) and valid card's issue."""
    _away(member, outflow)
    _not_future(returned_on, L.FIELD_RETURNED_ON)
    _not_before(returned_on, L.FIELD_RETURNED_ON, as_date(outflow["left_on"]), L.FIELD_LEFT_ON)
    _not_before(returned_on, L.FIELD_RETURNED_ON, card_issued, L.FIELD_CARD_ISSUED)


def inspect_card(led: Ledger, member: Member, *, inspected_on: date) -> None:
    """查验: the returned member hands in the card; the branch checks it and takes it back."""
    outflow = led.one("SELECT * FROM outflows WHERE member_id = ? AND end_kind = 'returned'"
                      " ORDER BY ended_on DESC, id DESC LIMIT 1", [member["id"]])
    if outflow is None or member["status"] == "away":
        raise BadInput(L.NOTHING_TO_INSPECT.format(name=member["name"]))
    if outflow["inspected_on"]:
        raise BadInput(L.ALREADY_INSPECTED.format(name=member["name"], date=outflow["inspected_on"]))
    _not_future(inspected_on, L.FIELD_DATE)
    _not_before(inspected_on, L.FIELD_DATE, as_date(outflow["ended_on"]), L.FIELD_RETURNED_ON)
    _inspect(led, member, outflow, inspected_on)


def _inspect(led: Ledger, member: Member, outflow: sqlite3.Row, on: date) -> None:
    led.update("outflows", outflow["id"], {"inspected_on": on})
    card = valid_card(led, member["id"])
    if card:
        led.update("cards", card["id"], {"voided_on": on, "void_reason": L.VOID_RETURNED})


def transfer_out(led: Ledger, member: Member, *, to_org: str, transferred_on: date) -> None:
    """组织关系转出: the member leaves the active roster; every record stays."""
    _refuse_inactive(member)
    to_org = _required(to_org, L.FIELD_TRANSFER_TO)
    _not_future(transferred_on, L.FIELD_DATE)
    outflow = active_outflow(led, member["id"])
    if outflow:
        _not_before(transferred_on, L.FIELD_DATE, as_date(outflow["left_on"]), L.FIELD_LEFT_ON)
        led.update("outflows", outflow["id"], {"ended_on": transferred_on, "end_kind": "transferred"})
    card = valid_card(led, member["id"])
    if card:
        _not_before(transferred_on, L.FIELD_DATE, as_date(card["issued_on"]), L.FIELD_CARD_ISSUED)
        led.update("cards", card["id"], {"voided_on": transferred_on, "void_reason": L.VOID_TRANSFERRED})
    inflow = active_inflow(led, member["id"])
    if inflow:
        led.update("inflows", inflow["id"], {"ended_on": transferred_on})
    led.insert("transfers", {"member_id": member["id"], "to_org": to_org, "transferred_on": transferred_on})
    led.update("members", member["id"], {"status": "transferred"})


# ---------------------------------------------------------------- 3. card, 4. review


def valid_card(led: Ledger, member_id: int) -> sqlite3.Row | None:
    return led.one("SELECT * FROM cards WHERE member_id = ? AND voided_on IS NULL", [member_id])


def next_card_no(led: Ledger, year: int) -> str:
    """The next free number of the form <branch code><year><4-digit sequence>."""
    prefix = f"{led.setting('code', '0000')}{year}"
    taken = {row[0] for row in led.all("SELECT card_no FROM cards WHERE card_no LIKE ?", [prefix + "%"])}
    sequence = len(taken) + 1
    while f"{prefix}{sequence:04d}" in taken:
        sequence += 1
    return f"{prefix}{sequence:04d}"


def issue_card(led: Ledger, member: Member, *, issued_on: date, card_no: str | None = None,
               reissue: bool = False) -> tuple[str, str | None]:
    """发放活动证, stamped by the ledger's 基层党委. A member holds one valid card: a reissue (遗失补办, --reissue)
    voids the old one, which is named; without --reissue a second card is refused. Returns (new, voided) numbers."""
    outflow = _require_away(led, member)
    _not_future(issued_on, L.FIELD_DATE)
    old = valid_card(led, member["id"])
    if old and not reissue:
        raise BadInput(L.CARD_HELD.format(name=member["name"], card_no=old["card_no"], issued=old["issued_on"]),
                       L.CARD_HELD_HINT)
    card_no = _optional(card_no) or next_card_no(led, issued_on.year)
    if led.one("SELECT 1 FROM cards WHERE card_no = ?", [card_no]):
        raise BadInput(L.CARD_NO_TAKEN.format(card_no=card_no))
    if old:
        _not_before(issued_on, L.FIELD_DATE, as_date(old["issued_on"]), L.FIELD_OLD_CARD_ISSUED)
        led.update("cards", old["id"], {"voided_on": issued_on, "void_reason": L.VOID_REISSUED})
    led.insert("cards", {"member_id": member["id"], "outflow_id": outflow["id"], "card_no": card_no,
                         "issued_on": issued_on, "committee": led.setting("committee")})
    return card_no, old["card_no"] if old else None


def review_card(led: Ledger, member: Member, *, reviewed_on: date, reviewer: str | None = None,
                result: str = "合格", note: str | None = None) -> None:
    """年审 of the member's valid card."""
    card = valid_card(led, member["id"])
    if card is None:
        raise BadInput(L.NO_VALID_CARD.format(name=member["name"]), L.NO_VALID_CARD_HINT)
    _not_future(reviewed_on, L.FIELD_DATE)
    _not_before(reviewed_on, L.FIELD_DATE, as_date(card["issued_on"]), L.FIELD_CARD_ISSUED)
    led.insert("card_reviews", {"card_id": card["id"], "reviewed_on": reviewed_on,
                                "reviewer": _optional(reviewer), "result": result, "note": _optional(note)})


# ---------------------------------------------------------------- 5. check-in


def check_in(led: Ledger, member: Member, *, org: str, checked_in_on: date, branch: str | None = None,
             verified: bool = False, filed: bool = False) -> None:
    """报到: an away member at the receiving organisation, or the later verification of an inflow member."""
    org = _required(org, L.FIELD_ORG)
    _not_future(checked_in_on, L.FIELD_DATE)
    if member["status"] == "inflow":
        inflow = active_inflow(led, member["id"])
        _not_before(checked_in_on, L.FIELD_DATE, as_date(inflow["arrived_on"]), L.FIELD_ARRIVED_ON)
        changes = {"branch": _optional(branch) or inflow["branch"]}
        if verified and not inflow["verified_on"]:
            changes["verified_on"] = checked_in_on
        led.update("inflows", inflow["id"], changes)
        outflow_id = None
    else:
        outflow = _require_away(led, member)
        _not_before(checked_in_on, L.FIELD_DATE, as_date(outflow["left_on"]), L.FIELD_LEFT_ON)
        outflow_id = outflow["id"]
    led.insert("checkins", {"member_id": member["id"], "outflow_id": outflow_id, "org": org,
                            "checked_in_on": checked_in_on, "branch": _optional(branch),
                            "verified": verified, "filed": filed})


# ---------------------------------------------------------------- 6. dues


class Payment(NamedTuple):
    """A payment as check_payment found it: what depends on the payment alone, not on who paid it."""

    periods: tuple[str, ...]  # the months, as the ledger writes them (2026-01)
    shares: tuple[int, ...]  # fen a month, the first months carrying the odd fen
    paid_on: date
    paid_on_text: str  # paid_on as ISO text, as SQLite stores it


def record_dues(led: Ledger, member: Member, *, periods: list[Month], amount_fen: int, paid_on: date,
                paid_to: str = "home", receipt: str | None = None) -> list[int]:
    """党费: the total paid, split evenly over the months in fen; a month is paid once."""
    payment = check_payment(periods=periods, amount_fen=amount_fen, paid_on=paid_on)
    check_payer(member, payment, paid=paid_months(led, member["id"], periods))
    receipt = _optional(receipt)
    return led.insert_rows("dues", list(DUES_COLUMNS), [
        (member["id"], month, share, payment.paid_on_text, paid_to, receipt, led.batch_id)
        for month, share in zip(payment.periods, payment.shares)], len(payment.periods))


DUES_COLUMNS = ("member_id", "period", "amount_fen", "paid_on", "paid_to", "receipt", "batch_id")


def check_payment(*, periods: list[Month], amount_fen: int, paid_on: date) -> Payment:
    """The checks of record_dues that depend on the payment alone (an import makes them once for each distinct
    payment of its file): not dated in the future, and at least one fen a month."""
    _not_future(paid_on, L.FIELD_PAID_ON)
    shares = split_fen(amount_fen, len(periods))
    if 0 in shares:
        raise BadInput(L.AMOUNT_TOO_SMALL.format(amount=format_fen(amount_fen), months=len(periods)))
    return Payment(tuple(str(month) for month in periods), tuple(shares), paid_on, paid_on.isoformat())


def check_payer(member: Member, payment: Payment, *, paid: list[str]) -> None:
    """The checks of record_dues that depend on the member, given which of the months are paid already: an active
    member, who had joined when they paid, and who had not paid any of the months."""
    _refuse_inactive(member)
    joined = member["joined_on"]
    if joined and payment.paid_on_text < (joined if type(joined) is str else joined.isoformat()):
        _not_before(payment.paid_on, L.FIELD_PAID_ON, as_date(joined) if type(joined) is str else joined,
                    L.FIELD_JOINED)
    if paid:
        raise BadInput(L.DUES_ALREADY_PAID.format(name=member["name"], months="、".join(paid)))


def paid_months(led: Ledger, member_id: int, periods: Iterable[Month]) -> list[str]:
    wanted = [str(m) for m in periods]
    marks = ", ".join("?" for _ in wanted)
    rows = led.all(f"SELECT period FROM dues WHERE member_id = ? AND period IN ({marks}) AND void_reason IS NULL"
                   " ORDER BY period",
                   [member_id, *wanted])
    return [row[0] for row in rows]


# ---------------------------------------------------------------- 7. report, contact, org life


def record_report(led: Ledger, member: Member, *, reported_on: date, kind: str = "思想汇报",
                  summary: str | None = None) -> int:
    """汇报 from the member to the home branch."""
    row = check_report(member, reported_on=reported_on, kind=kind, summary=summary)
    return led.insert("reports", {**row, "batch_id": led.batch_id})


def check_report(member: Member, *, reported_on: date, kind: str = "思想汇报", summary: str | None = None) -> dict:
    """The checks of record_report: the reports row (no batch_id), or BadInput."""
    _refuse_inactive(member)
    _not_future(reported_on, L.FIELD_DATE)
    return {"member_id": member["id"], "reported_on": reported_on, "kind": kind, "summary": _optional(summary)}


def record_contact(led: Ledger, member: Member, *, contacted_on: date, channel: str = "电话",
                   note: str | None = None) -> int:
    """联系 between the branch and the member (phone, WeChat, visit)."""
    _refuse_inactive(member)
    _not_future(contacted_on, L.FIELD_DATE)
    return led.insert("contacts", {"member_id": member["id"], "contacted_on": contacted_on,
                                   "channel": channel, "note": _optional(note)})


def record_org_life(led: Ledger, member: Member, *, held_on: date, kind: str = "主题党日",
                    place: str = "inflow") -> int:
    """组织生活 the member took part in, here or where they are."""
    _refuse_inactive(member)
    _not_future(held_on, L.FIELD_DATE)
    return led.insert("org_life", {"member_id": member["id"], "held_on": held_on, "kind": kind, "place": place})


# ---------------------------------------------------------------- 11. inflow


def active_inflow(led: Ledger, member_id: int) -> sqlite3.Row | None:
    return led.one("SELECT * FROM inflows WHERE member_id = ? AND ended_on IS NULL", [member_id])


def register_inflow(led: Ledger, *, name: str, id_number: str, origin_org: str, arrived_on: date,
                    origin_card_no: str | None = None, branch: str | None = None, verified: bool = False,
                    phone: str | None = None, gender: str | None = None, probationary: bool = False,
                    probation_ends: date | None = None) -> int:
    """外来流动党员登记: a member from elsewhere joins this branch's life; the origin keeps the relationship."""
    origin_org = _required(origin_org, L.FIELD_ORIGIN)
    _not_future(arrived_on, L.FIELD_ARRIVED_ON)
    member_id = add_member(led, name=name, id_number=id_number, gender=gender, phone=phone,
                           probationary=probationary, probation_ends=probation_ends, status="inflow",
                           added_on=arrived_on)
    led.insert("inflows", {"member_id": member_id, "origin_org": origin_org,
                           "origin_card_no": _optional(origin_card_no), "arrived_on": arrived_on,
                           "branch": _optional(branch), "verified_on": arrived_on if verified else None})
    return member_id


def record_feedback(led: Ledger, member: Member, *, sent_on: date, note: str | None = None) -> int:
    """反馈 to an inflow member's origin organisation."""
    inflow = active_inflow(led, member["id"])
    if inflow is None:
        raise BadInput(L.NOT_INFLOW.format(name=member["name"]))
    _not_future(sent_on, L.FIELD_DATE)
    _not_before(sent_on, L.FIELD_DATE, as_date(inflow["arrived_on"]), L.FIELD_ARRIVED_ON)
    return led.insert("feedback", {"member_id": member["id"], "sent_on": sent_on, "note": _optional(note)})


# ---------------------------------------------------------------- 12. probation


def convert(led: Ledger, member: Member, *, decided_on: date, extend_to: date | None = None,
            cancel: bool = False) -> str:
    """预备党员 转正, 延长预备期 (once, 6 to 12 months) or 取消资格; returns the outcome."""
    if member["category"] != "probationary":
        raise BadInput(L.NOT_PROBATIONARY.format(name=member["name"]))
    if extend_to and cancel:
        raise BadInput(L.EXTEND_OR_CANCEL)
    _not_future(decided_on, L.FIELD_DATE)
    ends = as_date(member["probation_ends"])
    if not cancel and ends and decided_on < ends:
        raise BadInput(L.PROBATION_NOT_OVER.format(name=member["name"], ends=ends.isoformat(),
                                                   date=decided_on.isoformat()))
    if extend_to:
        if led.one("SELECT 1 FROM conversions WHERE member_id = ? AND outcome = 'extended'", [member["id"]]):
            raise BadInput(L.ALREADY_EXTENDED.format(name=member["name"]))
        months = (extend_to.year - ends.year) * 12 + extend_to.month - ends.month - (extend_to.day < ends.day)
        if not 6 <= months <= 12 or extend_to <= ends:
            raise BadInput(L.BAD_EXTENSION.format(value=extend_to.isoformat(), ends=ends.isoformat()))
        outcome, changes = "extended", {"probation_ends": extend_to}
    elif cancel:
        outcome, changes = "cancelled", {"category": "cancelled"}
    else:
        outcome, changes = "converted", {"category": "full"}
    led.insert("conversions", {"member_id": member["id"], "decided_on": decided_on, "outcome": outcome,
                               "new_end": extend_to})
    led.update("members", member["id"], changes)
    return outcome


# ---------------------------------------------------------------- 临时党小组


def add_group(led: Ledger, *, name: str, city: str, leader: Member, members: list[Member],
              formed_on: date) -> int:
    """临时党小组 of three or more members away at one place (村规 四)."""
    name = _required(name, L.FIELD_GROUP)
    city = _required(city, L.FIELD_CITY)
    _not_future(formed_on, L.FIELD_DATE)
    if led.one("SELECT 1 FROM groups WHERE name = ?", [name]):
        raise BadInput(L.GROUP_EXISTS.format(name=name))
    everyone = {m["id"]: m for m in [leader, *members]}
    for m in everyone.values():
        if m["status"] != "away":
            raise BadInput(L.GROUP_MEMBER_NOT_AWAY.format(name=m["name"]))
    if len(everyone) < 3:
        raise BadInput(L.GROUP_TOO_SMALL.format(count=len(everyone)))
    group_id = led.insert("groups", {"name": name, "city": city, "leader_id": leader["id"], "formed_on": formed_on})
    led.insert_many("group_members", [{"group_id": group_id, "member_id": m} for m in everyone])
    return group_id
