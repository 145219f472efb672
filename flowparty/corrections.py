"""Putting records right (SPEC §7): corrections, which were always true, and voids, which take a record out.

A correction changes what was recorded as if it had been recorded right from the start, so every audit date
sees it; an update (records.update_outflow) is an event from its date on. A voided record stays in the ledger,
marked with its reason, and stops counting everywhere. Each runs inside the caller's transaction, whose reason
the history keeps; each refuses, with nothing written, to leave the member with an impossible date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flowparty import integrity
from flowparty import labels as L
from flowparty.db import Ledger, as_date
from flowparty.errors import BadInput
from flowparty.parse import Destination, Month, birth_date_from_id, gender_from_id, parse_id_number
from flowparty.records import (Member, _not_future, _optional, _required, active_inflow, active_outflow, today,
                               valid_card)

# void KIND → (table, date column, what the clerk calls it)
DATED_KINDS = {
    "report": ("reports", "reported_on", "汇报"),
    "contact": ("contacts", "contacted_on", "联系"),
    "org-life": ("org_life", "held_on", "组织生活"),
    "review": ("card_reviews", "reviewed_on", "活动证年审"),
    "feedback": ("feedback", "sent_on", "反馈"),
    "check-in": ("checkins", "checked_in_on", "报到"),
    "update": ("outflow_changes", "changed_on", "外出变更"),
}
CARD_VOID_REASONS = ("遗失", "损坏", "收回", "错发")


def reason_given(reason: str | None) -> str:
    """Every correction says why: the reason is kept in the history beside the old and new values."""
    return _required(reason, L.FIELD_CORRECTION_REASON)


def _keep_dates_possible(led: Ledger, member_id: int, before: list) -> None:
    """Refuse a change that leaves the member with an impossible date that was not there before it."""
    old = {p.text for p in before}
    new = [p for p in integrity.date_problems(led.conn, today(), member_id) if p.text not in old]
    if new:
        raise BadInput(L.CORRECTION_CONTRADICTS.format(problems="；".join(p.text for p in new)), new[0].fix)


def _checked(led: Ledger, member_id: int):
    """A context for a correction: the member's date problems before, compared after."""
    before = integrity.date_problems(led.conn, today(), member_id)

    class Guard:
        def __enter__(self):
            return self

        def __exit__(self, kind, value, tb):
            if kind is None:
                _keep_dates_possible(led, member_id, before)
            return False

    return Guard()


def _void_values(reason: str) -> dict[str, Any]:
    return {"void_reason": reason, "voided_at": datetime.now().isoformat(timespec="seconds")}


# ---------------------------------------------------------------- corrections


def edit_member(led: Ledger, member: Member, reason: str, **given: Any) -> dict:
    """member edit: the roster row as it should have been; a new 身份证号 is checked like a new member's."""
    reason_given(reason)
    changes: dict[str, Any] = {}
    if given.get("id_number") is not None:
        number = parse_id_number(given["id_number"])
        if number != member["id_number"] and led.one("SELECT 1 FROM members WHERE id_number = ?", [number]):
            raise BadInput(L.MEMBER_EXISTS.format(id=number), L.MEMBER_EXISTS_HINT)
        changes.update(id_number=number, birth_date=birth_date_from_id(number), gender=gender_from_id(number))
    number = changes.get("id_number", member["id_number"])
    if given.get("gender") is not None and given["gender"] != gender_from_id(number):
        raise BadInput(L.GENDER_MISMATCH.format(gender=given["gender"], id=number, id_gender=gender_from_id(number)))
    if given.get("name") is not None:
        changes["name"] = _required(given["name"], L.FIELD_NAME)
    for key in ("phone", "occupation"):
        if given.get(key) is not None:
            changes[key] = given[key]
    if given.get("notes") is not None:
        changes["notes"] = _optional(given["notes"])
    if given.get("joined") is not None:
        _not_future(given["joined"], L.FIELD_JOINED)
        changes["joined_on"] = given["joined"]
    if given.get("category") is not None:
        changes["category"] = given["category"]
    if given.get("probation_ends") is not None:
        if changes.get("category", member["category"]) != "probationary":
            raise BadInput(L.PROBATION_END_FOR_FULL)
        changes["probation_ends"] = given["probation_ends"]
    if changes.get("category") == "full" and member["probation_ends"] and "probation_ends" not in changes:
        changes["probation_ends"] = None
    if changes.get("category") == "probationary" and not (changes.get("probation_ends") or member["probation_ends"]):
        raise BadInput(L.PROBATION_END_NEEDED)
    if not changes:
        raise BadInput(L.NOTHING_TO_CORRECT)
    with _checked(led, member["id"]):
        changed = led.update("members", member["id"], changes)
    if not changed:
        raise BadInput(L.NOTHING_CHANGED)
    return changed


def latest_outflow(led: Ledger, member: Member):
    """The member's current outflow, or the latest one when home."""
    outflow = active_outflow(led, member["id"]) or led.one(
        "SELECT * FROM outflows WHERE member_id = ? ORDER BY left_on DESC, id DESC LIMIT 1", [member["id"]])
    if outflow is None:
        raise BadInput(L.NO_OUTFLOW.format(name=member["name"]), L.NOT_AWAY_HINT)
    return outflow


def edit_outflow(led: Ledger, member: Member, reason: str, *, left_on: date | None = None,
                 destination: Destination | None = None, reason_kind: str | None = None, employer: str | None = None,
                 phone: str | None = None, until: date | None = None, fixed: bool | None = None,
                 briefed: bool | None = None, ended_on: date | None = None) -> dict:
    """edit-outflow: the outflow as it was registered (a correction seen on every date, not an update)."""
    reason_given(reason)
    outflow = latest_outflow(led, member)
    changes: dict[str, Any] = {}
    if left_on is not None:
        _not_future(left_on, L.FIELD_LEFT_ON)
        changes["left_on"] = left_on
    if destination is not None:
        changes.update(province=destination.province, city=destination.city, address=destination.detail)
    for key, value in (("reason", reason_kind), ("phone", phone), ("expected_return", until),
                       ("fixed_place", fixed), ("briefed", briefed)):
        if value is not None:
            changes[key] = value
    if employer is not None:
        changes["employer"] = _optional(employer)
    if ended_on is not None:
        if not outflow["ended_on"]:
            raise BadInput(L.OUTFLOW_NOT_ENDED.format(name=member["name"]))
        _not_future(ended_on, L.FIELD_RETURNED_ON)
        changes["ended_on"] = ended_on
    if not changes:
        raise BadInput(L.NOTHING_TO_CORRECT)
    with _checked(led, member["id"]):
        changed = led.update("outflows", outflow["id"], changes)
        if "ended_on" in changed:
            _move_end(led, member, outflow, ended_on)
    if not changed:
        raise BadInput(L.NOTHING_CHANGED)
    return changed


def _move_end(led: Ledger, member: Member, outflow, ended_on: date) -> None:
    """A corrected return or transfer date moves what that day ended: the card voided then, the transfer row."""
    old = outflow["ended_on"]
    for card in led.all("SELECT id FROM cards WHERE member_id = ? AND voided_on = ? AND void_reason IN (?, ?)",
                        [member["id"], old, L.VOID_TRANSFERRED, L.VOID_RETURNED]):
        if outflow["end_kind"] == "transferred":
            led.update("cards", card["id"], {"voided_on": ended_on})
    if outflow["end_kind"] == "transferred":
        for row in led.all("SELECT id FROM transfers WHERE member_id = ? AND transferred_on = ? AND void_reason IS NULL",
                           [member["id"], old]):
            led.update("transfers", row["id"], {"transferred_on": ended_on})


# ---------------------------------------------------------------- voids


def void_dues(led: Ledger, member: Member, periods: list[Month], reason: str) -> int:
    """void dues: the payment of those months stops counting; each month can then be recorded again."""
    reason = reason_given(reason)
    wanted = [str(m) for m in periods]
    rows = [row for row in led.all("SELECT id, period FROM dues WHERE member_id = ? AND void_reason IS NULL",
                                   [member["id"]]) if row["period"] in wanted]
    missing = sorted(set(wanted) - {row["period"] for row in rows})
    if missing:
        raise BadInput(L.VOID_DUES_NOT_PAID.format(name=member["name"], months="、".join(missing)))
    for row in rows:
        led.update("dues", row["id"], _void_values(reason))
    return len(rows)


def dated_candidates(led: Ledger, member: Member, kind: str, day: date) -> list:
    table, column, _ = DATED_KINDS[kind]
    if table == "card_reviews":
        return led.all(f"SELECT r.* FROM card_reviews r JOIN cards c ON c.id = r.card_id WHERE c.member_id = ?"
                       f" AND r.{column} = ? AND r.void_reason IS NULL ORDER BY r.id", [member["id"], day])
    return led.all(f"SELECT * FROM {table} WHERE member_id = ? AND {column} = ? AND void_reason IS NULL ORDER BY id",
                   [member["id"], day])


def void_dated(led: Ledger, member: Member, kind: str, day: date, reason: str, which: int | None = None) -> None:
    """void report|contact|org-life|review|feedback|check-in|update on a day; several that day: name one (--which)."""
    reason = reason_given(reason)
    table, _, what = DATED_KINDS[kind]
    rows = dated_candidates(led, member, kind, day)
    if not rows:
        raise BadInput(L.VOID_NOTHING_ON.format(name=member["name"], what=what, date=day.isoformat()))
    if which is None and len(rows) > 1:
        listed = "；".join(f"{n}. {_shown(row)}" for n, row in enumerate(rows, 1))
        raise BadInput(L.VOID_SEVERAL.format(name=member["name"], what=what, date=day.isoformat(), count=len(rows),
                                             candidates=listed), L.VOID_SEVERAL_HINT)
    if which is not None and not 1 <= which <= len(rows):
        raise BadInput(L.VOID_BAD_WHICH.format(value=which, count=len(rows)))
    row = rows[(which or 1) - 1]
    led.update(table, row["id"], _void_values(reason))
    if table == "checkins" and row["outflow_id"] is None:
        _recheck_inflow(led, member, row)


def _shown(row) -> str:
    keys = [k for k in row.keys() if k in ("org", "kind", "channel", "summary", "note", "reviewer", "fields", "place")]
    return "，".join(str(row[k]) for k in keys if row[k]) or L.VOID_RECORD


def _recheck_inflow(led: Ledger, member: Member, checkin) -> None:
    """A voided check-in of an inflow member no longer verifies them, unless another live one does."""
    inflow = active_inflow(led, member["id"])
    if inflow is None or not checkin["verified"] or inflow["verified_on"] != checkin["checked_in_on"]:
        return
    other = led.scalar("SELECT min(checked_in_on) FROM checkins WHERE member_id = ? AND outflow_id IS NULL"
                       " AND verified AND void_reason IS NULL", [member["id"]])
    led.update("inflows", inflow["id"], {"verified_on": other})


def void_card(led: Ledger, member: Member, reason: str, on: date | None = None) -> str:
    """void card (挂失): the valid card stops being valid from the day, no new card issued; 错发 means it never was."""
    reason = _required(reason, L.FIELD_CORRECTION_REASON)
    if reason not in CARD_VOID_REASONS:
        raise BadInput(L.BAD_CHOICE.format(field=L.FIELD_CARD_VOID_REASON, value=reason,
                                           allowed="、".join(CARD_VOID_REASONS)))
    card = valid_card(led, member["id"])
    if card is None:
        raise BadInput(L.NO_VALID_CARD.format(name=member["name"]), L.NO_VALID_CARD_HINT)
    issued = as_date(card["issued_on"])
    day = issued if reason == "错发" else (on or today())
    _not_future(day, L.FIELD_DATE)
    if day < issued:
        raise BadInput(L.DATE_BEFORE.format(field=L.FIELD_DATE, value=day.isoformat(), other=L.FIELD_CARD_ISSUED,
                                            other_value=issued.isoformat()))
    led.update("cards", card["id"], {"voided_on": day, "void_reason": reason})
    return card["card_no"]


def void_return(led: Ledger, member: Member, reason: str) -> None:
    """void return: the return was recorded by mistake, so the member is away again on the same outflow."""
    reason_given(reason)
    outflow = led.one("SELECT * FROM outflows WHERE member_id = ? ORDER BY left_on DESC, id DESC LIMIT 1",
                      [member["id"]])
    if outflow is None or outflow["end_kind"] != "returned" or member["status"] != "home":
        raise BadInput(L.VOID_NO_RETURN.format(name=member["name"]))
    with _checked(led, member["id"]):
        _reopen(led, member, outflow, L.VOID_RETURNED, outflow["inspected_on"])
        led.update("outflows", outflow["id"], {"ended_on": None, "end_kind": None, "inspected_on": None,
                                               "summary": None})
        led.update("members", member["id"], {"status": "away"})


def void_transfer(led: Ledger, member: Member, reason: str) -> None:
    """void transfer: the transfer-out was recorded by mistake; the member is back where they were before it."""
    reason = reason_given(reason)
    transfer = led.one("SELECT * FROM transfers WHERE member_id = ? AND void_reason IS NULL"
                       " ORDER BY transferred_on DESC, id DESC LIMIT 1", [member["id"]])
    if transfer is None or member["status"] != "transferred":
        raise BadInput(L.VOID_NO_TRANSFER.format(name=member["name"]))
    day = transfer["transferred_on"]
    with _checked(led, member["id"]):
        led.update("transfers", transfer["id"], _void_values(reason))
        status = "home"
        outflow = led.one("SELECT * FROM outflows WHERE member_id = ? AND end_kind = 'transferred' AND ended_on = ?",
                          [member["id"], day])
        if outflow:
            _reopen(led, member, outflow, L.VOID_TRANSFERRED, day)
            led.update("outflows", outflow["id"], {"ended_on": None, "end_kind": None})
            status = "away"
        inflow = led.one("SELECT * FROM inflows WHERE member_id = ? AND ended_on = ?", [member["id"], day])
        if inflow:
            led.update("inflows", inflow["id"], {"ended_on": None})
            status = "inflow"
        led.update("members", member["id"], {"status": status})


def _reopen(led: Ledger, member: Member, outflow, why: str, on: str | None) -> None:
    """The card that an ended outflow voided is valid again (when no other card is)."""
    if outflow["end_kind"] == "returned" and led.one(
            "SELECT 1 FROM outflows WHERE member_id = ? AND left_on > ?", [member["id"], outflow["ended_on"]]):
        raise BadInput(L.VOID_LATER_OUTFLOW.format(name=member["name"]))
    if on is None or valid_card(led, member["id"]):
        return
    card = led.one("SELECT id FROM cards WHERE member_id = ? AND voided_on = ? AND void_reason = ?"
                   " ORDER BY id DESC LIMIT 1", [member["id"], on, why])
    if card:
        led.update("cards", card["id"], {"voided_on": None, "void_reason": None})
