"""What the read commands show: the roster, one member in full with the timeline, the ledger's facts.

Each function returns plain dicts and lists with stable English keys (what --json prints); the command line
renders them as Chinese tables.
"""

from __future__ import annotations

import json

from flowparty import labels as L
from flowparty.db import SCHEMA_VERSION, Ledger
from flowparty.parse import format_fen
from flowparty.records import Member, today

COUNTED_TABLES = ("members", "outflows", "cards", "checkins", "dues", "reports", "contacts", "org_life",
                  "inflows", "history")


def ledger_info(led: Ledger) -> dict:
    settings = led.settings()
    by_status = {row[0]: row[1] for row in led.all("SELECT status, count(*) FROM members GROUP BY status")}
    return {
        "path": str(led.path),
        "schema_version": SCHEMA_VERSION,
        "branch": settings.get("branch"),
        "committee": settings.get("committee"),
        "code": settings.get("code"),
        "since": settings.get("since"),
        "report_months": int(settings.get("report_months", 12)),
        "members_by_status": {status: by_status.get(status, 0) for status in L.STATUS},
        "counts": {table: led.scalar(f"SELECT count(*) FROM {table}") for table in COUNTED_TABLES},
    }


_ROSTER_SQL = """
SELECT m.id, m.name, m.id_number, m.gender, m.birth_date, m.phone, m.category, m.joined_on,
       m.probation_ends, m.quarterly, m.status, o.id AS outflow_id,
       o.province, o.city, o.address, o.left_on, o.reason, o.employer,
       (SELECT card_no FROM cards c WHERE c.member_id = m.id AND c.voided_on IS NULL) AS card_no,
       i.origin_org, i.arrived_on
FROM members m
LEFT JOIN outflows o ON o.member_id = m.id AND o.ended_on IS NULL
LEFT JOIN inflows i ON i.member_id = m.id AND i.ended_on IS NULL
{where}
ORDER BY m.id
"""


def roster(led: Ledger, status: str | None = None) -> list[dict]:
    """Everyone on the roster, or those of one status, with where the away ones are."""
    from flowparty.asof import outflow_values

    where, params = ("WHERE m.status = ?", [status]) if status else ("", [])
    updated = outflow_values(led, today())
    return [
        {
            "id_number": r["id_number"], "name": r["name"], "gender": r["gender"],
            "birth_date": r["birth_date"], "phone": r["phone"], "category": r["category"],
            "joined_on": r["joined_on"], "probation_ends": r["probation_ends"],
            "quarterly": bool(r["quarterly"]), "status": r["status"],
            "destination": " ".join(p for p in (r["province"], r["city"], r["address"]) if p) or None,
            "left_on": r["left_on"], "reason": r["reason"], "employer": r["employer"],
            "card_no": r["card_no"], "origin_org": r["origin_org"], "arrived_on": r["arrived_on"],
        }
        for r in ({**dict(row), **updated.get(row["outflow_id"], {})} for row in
                  led.all(_ROSTER_SQL.format(where=where), params))
    ]


def _rows(led: Ledger, sql: str, member_id: int) -> list[dict]:
    return [dict(row) for row in led.all(sql, [member_id])]


def member_detail(led: Ledger, member: Member) -> dict:
    """Everything the ledger holds about one member, voided records marked (void_reason), and every change."""
    from flowparty.asof import outflow_values

    mid = member["id"]
    basic = {k: member[k] for k in member.keys() if k not in ("id", "batch_id")}
    basic["quarterly"] = bool(basic["quarterly"])
    dues = _rows(led, "SELECT period, amount_fen, paid_on, paid_to, receipt, void_reason FROM dues WHERE member_id = ?"
                      " ORDER BY period, id", mid)
    live = [d for d in dues if not d["void_reason"]]
    outflows = _rows(led, "SELECT id, reason, province, city, address, employer, unit_type, left_on, expected_return,"
                          " phone, fixed_place, briefed, ended_on, end_kind, inspected_on, summary FROM outflows"
                          " WHERE member_id = ? ORDER BY left_on", mid)
    now = outflow_values(led, today(), [o["id"] for o in outflows])
    for o in outflows:
        o["registered"] = {k: o[k] for k in now.get(o["id"], {})}
        o.update(now.get(o["id"], {}))
        o["changes"] = [{"changed_on": c["changed_on"], "values": json.loads(c["new_values"] or "{}"),
                         "void_reason": c["void_reason"]} for c in
                        led.all("SELECT changed_on, new_values, void_reason FROM outflow_changes WHERE outflow_id = ?"
                                " ORDER BY changed_on, id", [o["id"]])]
        del o["id"]
    detail = {
        "member": basic,
        "outflows": outflows,
        "cards": [
            {**card, "reviews": _rows(led, "SELECT reviewed_on, reviewer, result, note, void_reason FROM card_reviews"
                                           " WHERE card_id = ? ORDER BY reviewed_on", card.pop("id"))}
            for card in _rows(led, "SELECT id, card_no, issued_on, committee, voided_on, void_reason FROM cards"
                                   " WHERE member_id = ? ORDER BY issued_on, id", mid)
        ],
        "checkins": _rows(led, "SELECT checked_in_on, org, branch, verified, filed, void_reason FROM checkins"
                               " WHERE member_id = ? ORDER BY checked_in_on", mid),
        "dues": {"months": len(live), "total_fen": sum(d["amount_fen"] for d in live),
                 "last_period": live[-1]["period"] if live else None, "payments": dues},
        "reports": _rows(led, "SELECT reported_on, kind, summary, void_reason FROM reports WHERE member_id = ?"
                              " ORDER BY reported_on", mid),
        "contacts": _rows(led, "SELECT contacted_on, channel, note, void_reason FROM contacts WHERE member_id = ?"
                               " ORDER BY contacted_on", mid),
        "org_life": _rows(led, "SELECT held_on, kind, place, void_reason FROM org_life WHERE member_id = ?"
                               " ORDER BY held_on", mid),
        "inflows": _rows(led, "SELECT origin_org, origin_card_no, arrived_on, branch, verified_on, ended_on"
                              " FROM inflows WHERE member_id = ? ORDER BY arrived_on", mid),
        "feedback": _rows(led, "SELECT sent_on, note, void_reason FROM feedback WHERE member_id = ? ORDER BY sent_on",
                          mid),
        "conversions": _rows(led, "SELECT decided_on, outcome, new_end FROM conversions WHERE member_id = ?"
                                  " ORDER BY decided_on", mid),
        "transfers": _rows(led, "SELECT transferred_on, to_org, void_reason FROM transfers WHERE member_id = ?", mid),
        "groups": _rows(led, "SELECT g.name, g.city, g.formed_on, g.leader_id = gm.member_id AS leader"
                             " FROM groups g JOIN group_members gm ON gm.group_id = g.id"
                             " WHERE gm.member_id = ?", mid),
        "history": timeline(led, mid),
    }
    detail["timeline"] = member_events(detail)
    return detail


def timeline(led: Ledger, member_id: int) -> list[dict]:
    """The member's history: every change, oldest first, with the values before and after, the reason the command
    gave (corrections and voids); an import that added their rows is its batch's one entry."""
    from flowparty.undo import MEMBER_HISTORY

    return [
        {
            "at": row["at"], "command": row["command"], "table": row["table_name"], "action": row["action"],
            "old": json.loads(row["old_values"]) if row["old_values"] else None,
            "new": json.loads(row["new_values"]) if row["new_values"] else None,
            "tx_id": row["tx_id"], "reason": row["reason"],
        }
        for row in led.conn.execute(f"SELECT h.*, t.reason FROM ({MEMBER_HISTORY}) h"
                                    " LEFT JOIN transactions t ON t.id = h.tx_id ORDER BY h.id", {"member": member_id})
    ]


# ---------------------------------------------------------------- member show: every record on one timeline

# Same-day records in the order they happen: the outflow, then its card, check-in, …; corrections last.
EVENT_ORDER = ("inflow", "outflow", "card", "checkin", "outflow_change", "review", "dues", "report", "contact",
               "org_life", "feedback", "conversion", "group", "inflow_verified", "outflow_end", "inspection",
               "transfer", "inflow_end", "card_voided", "correction")


def _fields(record: dict, keys: tuple[str, ...]) -> str:
    """'名称 值，名称 值' for the keys that hold something, in the ledger's Chinese column names and values."""
    return "，".join(f"{L.column(k)} {_value(k, record[k])}" for k in keys if record.get(k) not in (None, "", 0))


def _event(on: str | None, kind: str, text: str, void_reason: str | None = None) -> dict:
    return {"date": (on or "")[:10], "kind": kind, "text": text, "void_reason": void_reason}


_PLACE_KEYS = {"province", "city", "address"}


def _place(o: dict) -> str:
    return " ".join(p for p in (o["province"], o["city"], o["address"]) if p)


def _outflow_events(o: dict) -> list[dict]:
    registered = {**o, **o["registered"]}
    events = [_event(o["left_on"], "outflow", "，".join(p for p in (
        _place(registered), _fields(registered, ("reason", "employer", "unit_type", "phone", "expected_return"))) if p))]
    for change in o["changes"]:
        values = change["values"]
        place = {"province": "", "city": "", "address": "", **values} if _PLACE_KEYS & set(values) else None
        rest = {k: v for k, v in values.items() if k not in _PLACE_KEYS}
        text = "，".join(p for p in (place and f"{L.EVENT_PLACE} {_place(place)}", _fields(rest, tuple(rest))) if p)
        events.append(_event(change["changed_on"], "outflow_change", text, change["void_reason"]))
    if o["ended_on"]:
        events.append(_event(o["ended_on"], "outflow_end", L.END_KIND[o["end_kind"]] + (
            "，" + _fields(o, ("summary",)) if o.get("summary") else "")))
    if o["inspected_on"]:
        events.append(_event(o["inspected_on"], "inspection", L.EVENT_INSPECTED))
    return events


def _dues_events(payments: list[dict]) -> list[dict]:
    """One event per payment: the months paid the same day, to the same place, with the same receipt."""
    runs: dict[tuple, list[dict]] = {}
    for d in payments:
        runs.setdefault((d["paid_on"], d["paid_to"], d["receipt"], d["void_reason"]), []).append(d)
    events = []
    for (paid_on, paid_to, receipt, void_reason), rows in runs.items():
        periods = [d["period"] for d in rows]
        index = [int(p[:4]) * 12 + int(p[5:7]) for p in periods]
        span = (f"{periods[0]}..{periods[-1]}" if index[-1] - index[0] + 1 == len(periods) else "、".join(periods)) \
            if len(periods) > 1 else periods[0]
        record = {"period": span, "amount_fen": sum(d["amount_fen"] for d in rows), "paid_to": paid_to,
                  "receipt": receipt}
        events.append(_event(paid_on, "dues", _fields(record, ("period", "amount_fen", "paid_to", "receipt")),
                             void_reason))
    return events


def _corrections(history: list[dict]) -> list[dict]:
    """Each correction command (a reason given, not a void shown on its own row) as one event with its changes."""
    commands: dict = {}
    for entry in history:
        if entry.get("reason") and not (entry["command"].startswith("void ") and entry["command"] != "void return"):
            commands.setdefault(entry["tx_id"], []).append(entry)
    return [_event(entries[0]["at"], "correction", L.EVENT_CORRECTION.format(
        changes="；".join(describe_change(e) for e in entries), reason=entries[0]["reason"]))
        for entries in commands.values()]


def member_events(detail: dict) -> list[dict]:
    """Every record of the member on one timeline, by date: outflows and their updates, cards with their reviews
    and inspection, check-ins, dues, reports, contacts, org life, inflows, feedback, conversions, transfers,
    groups and corrections. Voided records stay, with their void_reason."""
    events = [e for o in detail["outflows"] for e in _outflow_events(o)]
    inspected = {o["inspected_on"] for o in detail["outflows"]}
    for card in detail["cards"]:
        events.append(_event(card["issued_on"], "card", _fields(card, ("card_no", "committee")), card["void_reason"]))
        if card["voided_on"] and card["voided_on"] not in inspected:  # lost, damaged, wrongly issued: its own day
            events.append(_event(card["voided_on"], "card_voided", _fields(card, ("card_no", "void_reason"))))
        events += [_event(r["reviewed_on"], "review", "，".join(p for p in (
            _fields(card, ("card_no",)), _fields(r, ("result", "reviewer", "note"))) if p), r["void_reason"])
            for r in card["reviews"]]
    events += [_event(c["checked_in_on"], "checkin", _fields(c, ("org", "branch", "verified", "filed")),
                      c["void_reason"]) for c in detail["checkins"]]
    events += _dues_events(detail["dues"]["payments"])
    events += [_event(r["reported_on"], "report", _fields(r, ("kind", "summary")), r["void_reason"])
               for r in detail["reports"]]
    events += [_event(c["contacted_on"], "contact", _fields(c, ("channel", "note")), c["void_reason"])
               for c in detail["contacts"]]
    events += [_event(o["held_on"], "org_life", _fields(o, ("kind", "place")), o["void_reason"])
               for o in detail["org_life"]]
    for i in detail["inflows"]:
        events.append(_event(i["arrived_on"], "inflow", _fields(i, ("origin_org", "origin_card_no", "branch"))))
        if i["verified_on"]:
            events.append(_event(i["verified_on"], "inflow_verified", _fields(i, ("origin_card_no",))))
        if i["ended_on"]:
            events.append(_event(i["ended_on"], "inflow_end", ""))
    events += [_event(f["sent_on"], "feedback", _fields(f, ("note",)), f["void_reason"]) for f in detail["feedback"]]
    events += [_event(c["decided_on"], "conversion", _fields(c, ("outcome", "new_end"))) for c in detail["conversions"]]
    events += [_event(t["transferred_on"], "transfer", _fields(t, ("to_org",)), t["void_reason"])
               for t in detail["transfers"]]
    events += [_event(g["formed_on"], "group", g["name"] + (L.EVENT_LEADER if g["leader"] else ""))
               for g in detail["groups"]]
    events += _corrections(detail["history"])
    return sorted(events, key=lambda e: (e["date"], EVENT_ORDER.index(e["kind"])))


def describe_change(entry: dict) -> str:
    """One history entry as a Chinese line: the fields changed, old → new."""
    table = L.TABLE_NAMES.get(entry["table"], entry["table"])
    if entry["table"] == "settings":
        values = entry["new"] or entry["old"] or {}
        return "，".join(f"{_setting_name(k)}：{_value(k, (entry['old'] or {}).get(k))} → {_value(k, v)}"
                        for k, v in ((k, (entry["new"] or {}).get(k)) for k in values))
    if entry["action"] == "insert" and "inserted" in (entry["new"] or {}) and entry["table"] == "import_batches":
        return _batch_line(entry["new"])
    if entry["action"] == "insert":
        new = dict(entry["new"] or {})
        new.update(json.loads(new.pop("new_values") or "{}") if isinstance(new.get("new_values"), str) else {})
        shown = {k: v for k, v in new.items() if v not in (None, "", 0)
                 and k not in ("id", "member_id", "batch_id", "outflow_id", "card_id", "fields")}
        return f"新增{table}：" + "，".join(f"{L.column(k)} {_value(k, v)}" for k, v in shown.items())
    if entry["action"] == "delete":
        return f"删除{table}"
    if (entry["new"] or {}).get("void_reason") and "voided_at" in entry["new"]:
        return L.HISTORY_VOIDED.format(table=table, reason=entry["new"]["void_reason"])
    return f"变更{table}：" + "，".join(
        f"{L.column(k)} {_value(k, entry['old'].get(k))} → {_value(k, v)}" for k, v in entry["new"].items()
    )


def _batch_line(batch: dict) -> str:
    """An import's inserts, as its batch entry records them: 导入批次 12（登记簿.xlsx）新增 N 条（党员信息 n、…）."""
    tables = "、".join(f"{L.TABLE_NAMES.get(t, t)} {n}" for t, n in batch["inserted"].items())
    return L.HISTORY_BATCH.format(id=batch["id"], file=batch["file_name"], count=sum(batch["inserted"].values()),
                                  tables=L.HISTORY_BATCH_TABLES.format(tables=tables) if tables else "")


def _setting_name(key: str) -> str:
    from flowparty.settings import catalog

    return next((s.name for s in catalog() if s.key == key), L.SETTING_NAMES_RT.get(key, key))


def _value(column: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if column in ("amount_fen", "base_fen", "monthly_fen"):
        return format_fen(value) + "元"
    return str(L.VALUE_NAMES.get(column, {}).get(value, value))
