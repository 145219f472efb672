"""Is the ledger sound? SQLite's own checks, and the dates no real history can have.

One place for these facts: `flowparty check` reports them, the audit's FP901 turns them into findings, and a
correction (flowparty/corrections.py) refuses to leave a member with a new one. The foreign-key check reads every
row of every table (0.6 s over 6,000,000 dues), so only `check` runs it; every connection writes with foreign keys
on, and the audit says (FP901, info) when `check` has not passed since the last import or merge, or for 30 days:
each check that finds the file sound is recorded in the ledger (setting CHECK_PASSED). Each impossible date is told in
Chinese: whose record, which one, the two dates that cannot both be true, and the command that puts it right.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flowparty import labels as L

# The audit's FP901 reads every page (quick_check) only of a ledger up to this size (about 0.2 s of reading);
# a bigger one gets the dates on every audit and the page check from `flowparty check`.
AUDIT_PAGE_CHECK_BYTES = 64 * 1024 * 1024
CHECK_PASSED = "check_passed"  # the setting that holds when `check` last passed (local time, ISO seconds)
CHECK_EVERY_DAYS = 30


def damage(conn: sqlite3.Connection, full: bool = True, pages: bool = True, foreign_keys: bool = True) -> list[str]:
    """SQLite's integrity_check (quick_check when not full; neither without pages) and foreign_key_check
    messages; empty when sound."""
    problems = []
    if pages:
        pragma = "integrity_check" if full else "quick_check"
        problems = [row[0] for row in conn.execute(f"PRAGMA {pragma}") if row[0] != "ok"]
    if foreign_keys:
        problems += [L.DAMAGE_FOREIGN_KEY.format(table=L.TABLE_NAMES.get(row[0], row[0]), row=row[1],
                                                 parent=L.TABLE_NAMES.get(row[2], row[2]))
                     for row in conn.execute("PRAGMA foreign_key_check")]
    return problems


def record_pass(conn: sqlite3.Connection, now: datetime) -> None:
    """Note in the ledger that `check` passed, after which transaction. A fact about the file, like the demo mark:
    no history entry and no transaction of its own, so `undo` and `history` still see the clerk's last command."""
    with conn:
        after = conn.execute("SELECT max(id) FROM transactions").fetchone()[0] or 0
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     [CHECK_PASSED, json.dumps({"at": now.isoformat(timespec="seconds"), "after": after})])


def check_due(led, now: datetime) -> str | None:
    """Why `check` should run again, or None: it has not passed since the last import or merge, or for 30 days.

    Until the first check, the ledger's making (its first transaction) counts as one: a ledger written only by
    flowparty starts sound. Transactions are compared by id, so an import and a check in one second stay ordered."""
    stored = led.setting(CHECK_PASSED)
    passed = json.loads(stored) if stored else led.one("SELECT at, id AS after FROM transactions ORDER BY id LIMIT 1")
    if passed is None:
        return L.CHECK_DUE_NEVER
    changed = led.scalar("SELECT at FROM transactions WHERE id > ? AND (command = 'merge'"
                         " OR (command LIKE 'import %' AND command != 'import undo')) ORDER BY id DESC LIMIT 1",
                         [passed["after"]])
    if changed:
        return L.CHECK_DUE_CHANGED.format(at=changed.replace("T", " "))
    if passed["at"] < (now - timedelta(days=CHECK_EVERY_DAYS)).isoformat(timespec="seconds"):
        return L.CHECK_DUE_OLD.format(at=passed["at"].replace("T", " "), days=CHECK_EVERY_DAYS)
    return None


def size(conn: sqlite3.Connection) -> int:
    """The ledger's size in bytes, as SQLite counts its pages."""
    return conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]


@dataclass(frozen=True)
class DateProblem:
    """One impossible date: whose (member row id, or None), what is wrong and the command that corrects it."""

    member_id: int | None
    id_number: str | None
    name: str | None
    text: str
    fix: str


# Records dated after the real today: (table, date column, what the record is, the command that corrects it).
_FUTURE = (
    ("members", "joined_on", "入党日期", "member edit {ref} --joined 日期 --reason 原因"),
    ("outflows", "left_on", "外出日期", "edit-outflow {ref} --left-on 日期 --reason 原因"),
    ("outflows", "ended_on", "返回（转出）日期", "edit-outflow {ref} --ended-on 日期 --reason 原因"),
    ("outflows", "inspected_on", "活动证查验日期", "undo，或 edit-outflow {ref} --reason 原因"),
    ("outflow_changes", "changed_on", "外出变更", "void update {ref} --date {value} --reason 原因"),
    ("cards", "issued_on", "活动证发放日期", "void card {ref} --reason 错发"),
    ("card_reviews", "reviewed_on", "活动证年审", "void review {ref} --date {value} --reason 原因"),
    ("checkins", "checked_in_on", "报到", "void check-in {ref} --date {value} --reason 原因"),
    ("dues", "paid_on", "党费交纳日期", "void dues {ref} --period 所属期 --reason 原因"),
    ("reports", "reported_on", "汇报", "void report {ref} --date {value} --reason 原因"),
    ("contacts", "contacted_on", "联系", "void contact {ref} --date {value} --reason 原因"),
    ("org_life", "held_on", "组织生活", "void org-life {ref} --date {value} --reason 原因"),
    ("feedback", "sent_on", "反馈", "void feedback {ref} --date {value} --reason 原因"),
    ("transfers", "transferred_on", "组织关系转出", "void transfer {ref} --reason 原因"),
    ("inflows", "arrived_on", "来到本地日期", "undo"),
    ("conversions", "decided_on", "预备期处理", "undo"),
    ("groups", "formed_on", "临时党小组成立日期", "undo"),
)
_MEMBER_OF = {"members": "x.id", "groups": "x.leader_id",
              "card_reviews": "(SELECT c.member_id FROM cards c WHERE c.id = x.card_id)"}
_ROWS_OF: dict[str, str] = {}
# The 6,000,000-row dues table, for both its impossible dates (paid after the real today, paid before joining), is
# read once: one pass over the members, two range seeks a member into the (member, paid_on) index (MULTI-INDEX OR),
# not scanned whole, and not a pass for each check.
_DUES = """SELECT w.id, w.joined_on, x.paid_on, x.period FROM members w JOIN dues x ON x.member_id = w.id
WHERE (x.paid_on > :today OR x.paid_on < w.joined_on) AND x.void_reason IS NULL{only}"""
_DUES_BEFORE_JOINING = ("{label} 的党费交纳日期 {second} 早于入党日期 {first}",
                        "void dues {ref} --period 所属期 --reason 原因，或 member edit {ref} --joined 日期 --reason 原因")
_LIVE = {table: "x.void_reason IS NULL" for table in
         ("dues", "reports", "contacts", "org_life", "card_reviews", "feedback", "checkins", "transfers",
          "outflow_changes")}

# Pairs of dated records where the later step is dated before the earlier: SQL giving member_id, the two dates
# (first, second) and a label, the sentence, and the command that corrects it.
_ORDER = (
    ("SELECT x.member_id, x.left_on AS first, x.ended_on AS second, '' AS label FROM outflows x"
     " WHERE x.ended_on < x.left_on",
     "返回（转出）日期 {second} 早于外出日期 {first}", "edit-outflow {ref} --ended-on 日期（或 --left-on 日期） --reason 原因"),
    ("SELECT x.member_id, x.ended_on, x.inspected_on, '' FROM outflows x WHERE x.inspected_on < x.ended_on",
     "活动证查验日期 {second} 早于返回日期 {first}", "edit-outflow {ref} --ended-on 日期 --reason 原因"),
    ("SELECT x.member_id, x.issued_on, x.voided_on, x.card_no FROM cards x WHERE x.voided_on < x.issued_on",
     "活动证 {label} 的作废日期 {second} 早于发放日期 {first}", "void card {ref} --reason 错发，再重新发证"),
    ("SELECT c.member_id, c.issued_on, o.ended_on, c.card_no FROM cards c JOIN outflows o ON o.id = c.outflow_id"
     " WHERE o.ended_on < c.issued_on AND (c.voided_on IS NULL OR c.voided_on > c.issued_on)",
     "活动证 {label} 的发放日期 {first} 晚于本次外出的返回（转出）日期 {second}",
     "void card {ref} --reason 错发，或 edit-outflow {ref} --ended-on 日期 --reason 原因"),
    ("SELECT k.member_id, o.left_on, k.checked_in_on, k.org FROM checkins k JOIN outflows o ON o.id = k.outflow_id"
     " WHERE k.checked_in_on < o.left_on AND k.void_reason IS NULL",
     "到 {label} 的报到日期 {second} 早于外出日期 {first}", "void check-in {ref} --date {second} --reason 原因"),
    ("SELECT c.member_id, c.issued_on, r.reviewed_on, c.card_no FROM card_reviews r JOIN cards c ON c.id = r.card_id"
     " WHERE r.reviewed_on < c.issued_on AND r.void_reason IS NULL",
     "活动证 {label} 的年审日期 {second} 早于发放日期 {first}", "void review {ref} --date {second} --reason 原因"),
    ("SELECT x.id AS member_id, x.joined_on, x.probation_ends, '' FROM members x WHERE x.probation_ends < x.joined_on",
     "预备期满日期 {second} 早于入党日期 {first}", "member edit {ref} --probation-ends 日期 --reason 原因"),
    ("SELECT u.member_id, o.left_on, u.changed_on, '' FROM outflow_changes u JOIN outflows o ON o.id = u.outflow_id"
     " WHERE u.changed_on < o.left_on AND u.void_reason IS NULL",
     "外出变更日期 {second} 早于外出日期 {first}", "void update {ref} --date {second} --reason 原因"),
)


def date_problems(conn: sqlite3.Connection, today: date, member_id: int | None = None) -> list[DateProblem]:
    """Every impossible date in the ledger (or of one member), told in Chinese with the command that corrects it."""
    found = []
    early: dict[int, tuple] = {}  # member → (joined_on, [(paid_on, period)]) of the live dues paid before joining
    for member, joined_on, paid_on, period in conn.execute(
            _DUES.format(only=" AND w.id = :member" if member_id is not None else ""),
            {"today": today, "member": member_id}):
        if paid_on > today.isoformat():
            what, fix = next((w, f) for t, _, w, f in _FUTURE if t == "dues")
            found.append((member, L.DATE_FUTURE_PROBLEM.format(what=what, value=paid_on), fix, {"value": paid_on}))
        if joined_on and paid_on < joined_on:
            early.setdefault(member, (joined_on, []))[1].append((paid_on, period))
    for member, (joined_on, paid) in early.items():
        paid.sort(key=lambda p: p[0])  # in the order of the index: by day paid
        values = {"first": joined_on, "second": paid[0][0], "label": "、".join(p[1] for p in paid)}
        text, fix = _DUES_BEFORE_JOINING
        found.append((member, text.format(**values), fix, values))
    for table, column, what, fix in _FUTURE:
        if table == "dues":
            continue
        member = _MEMBER_OF.get(table, "x.member_id")
        live = f" AND {_LIVE[table]}" if table in _LIVE else ""
        only = f" AND {member} = :member" if member_id is not None else ""
        rows = _ROWS_OF.get(table, f"{table} x")
        for row in conn.execute(f"SELECT {member} AS member_id, x.{column} FROM {rows}"
                                f" WHERE x.{column} > :today{live}{only}", {"today": today, "member": member_id}):
            found.append((row[0], L.DATE_FUTURE_PROBLEM.format(what=what, value=row[1]), fix, {"value": row[1]}))
    for sql, text, fix in _ORDER:
        query = f"SELECT * FROM ({sql}) WHERE member_id = :member" if member_id is not None else sql
        for row in conn.execute(query, {"member": member_id}):
            values = {"first": row[1], "second": row[2], "label": row[3] or ""}
            found.append((row[0], text.format(**values), fix, values))
    return _described(conn, found)


def _described(conn: sqlite3.Connection, found: list) -> list[DateProblem]:
    ids = {row[0] for row in found if row[0] is not None}
    people = {row[0]: (row[1], row[2]) for row in conn.execute(
        f"SELECT id, id_number, name FROM members WHERE id IN ({', '.join(str(int(i)) for i in ids) or 'NULL'})")}
    problems = []
    for member_id, text, fix, values in found:
        id_number, name = people.get(member_id, (None, None))
        ref = id_number or L.DATE_PROBLEM_MEMBER
        problems.append(DateProblem(member_id if id_number else None, id_number, name,
                                    (L.DATE_PROBLEM_OF.format(name=name) if name else "") + text,
                                    L.DATE_PROBLEM_FIX.format(command=fix.format(ref=ref, **values))))
    return sorted(problems, key=lambda p: (p.member_id or 0, p.text))
