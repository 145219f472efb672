"""The audit rules of SPEC §3: one small pure function per rule, registered under its code.

Each rule reads the ledger through flowparty.asof (the ledger as it stood on the audit date) and yields
Findings; none prints. Thresholds are ledger settings (THRESHOLDS names every key and its SPEC default).
The words the clerk reads (titles, messages, hints, explanations, quoted sources) are in labels.RULE_TEXT.

Stable interface for the annual report and the exporters:
    run_audit(led, as_of, select=(), ignore=()) -> list[Finding]
    Finding fields: code, name, severity ('error'|'warning'|'info'), member_id (row id or None),
    id_number, member_name, message (Chinese), hint (Chinese, "请…"), since (date the finding began, or
    None), details (dict, JSON-ready), and .as_json() -> the SPEC §4 JSON object.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, NamedTuple

from flowparty import labels as L
from flowparty.asof import AsOf, add_months, day_after, falls_due_on
from flowparty.db import Ledger, as_date
from flowparty.dues import underpaid_months
from flowparty.errors import BadInput
from flowparty import integrity
from flowparty.parse import Month, fold, format_fen

SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "never")

# Every threshold the rules read, as ledger settings with their SPEC §3 defaults.
THRESHOLDS = MappingProxyType({
    "card_review_months": 12,     # FP102
    "inspect_days": 30,           # FP103
    "checkin_days": 30,           # FP104
    "dues_warning_months": 3,     # FP201
    "dues_error_months": 6,       # FP202
    "report_months": 12,          # FP301 (written by init: 12 or 6)
    "lost_contact_months": 6,     # FP302
    "org_life_months": 6,         # FP303
    "fixed_place_months": 6,      # FP401
    "group_min_members": 3,       # FP402
    "probation_notice_days": 60,  # FP501
    "feedback_months": 12,        # FP603
    "dues_everyone": 0,           # 1: FP201/FP202 look at every roster member, not only those away
})


class Finding(NamedTuple):
    """One thing the audit found: which rule, about whom (None for the ledger as a whole), since when.

    A tuple: an audit that flags everyone builds hundreds of thousands of these, so one costs a tuple."""

    code: str
    name: str
    severity: str
    member_id: int | None
    id_number: str | None
    member_name: str | None
    since: date | None
    details: dict

    @property
    def message(self) -> str:
        """What is wrong, in Chinese, from the rule's message and the details."""
        return L.RULE_TEXT[self.code]["message"].format(**self.details)

    @property
    def hint(self) -> str:
        """What to do about it ("请…")."""
        return L.RULE_TEXT[self.code]["hint"].format(**self.details)

    @property
    def key(self) -> tuple:
        """What makes a finding the same one on another day (the todo list compares two dates)."""
        return self.code, self.member_id, self.details.get("city")

    def as_json(self) -> dict:
        return findings_json([self])[0]


def findings_json(findings: Iterable[Finding], extra: Callable[[Finding], dict] | None = None) -> list[dict]:
    """The SPEC §4 JSON objects of many findings at once (each rule's texts looked up once, not per finding);
    `extra` adds keys to each object (the branch of a township's audit)."""
    texts = {code: (text["message"].format, text["hint"].format) for code, text in L.RULE_TEXT.items()}
    objects = []
    with bulk():
        for f in findings:
            message, hint = texts[f.code]
            details = f.details
            objects.append({"code": f.code, "name": f.name, "severity": f.severity,
                            "member": {"id_number": f.id_number, "name": f.member_name} if f.member_id else None,
                            "message": message(**details), "hint": hint(**details),
                            "since": f.since.isoformat() if f.since else None, "details": details})
            if extra:
                objects[-1].update(extra(f))
    return objects


class Rule(NamedTuple):
    code: str
    name: str
    severity: str
    threshold: str | None  # the THRESHOLDS key, None for a rule without one
    check: Callable[[AsOf], Iterator[Finding]]
    reads: tuple[str, ...] = ()  # the roster facts (asof.FACTS) the rule reads


def _found(code: str, row, since: date | None, severity: str | None = None, **details) -> Finding:
    rule = REGISTRY[code]
    for key, value in details.items():
        if isinstance(value, date):
            details[key] = value.isoformat()
    if row is None:
        return Finding(code, rule.name, severity or rule.severity, None, None, None, since, details)
    return Finding(code, rule.name, severity or rule.severity, row["member_id"], row["id_number"], row["name"],
                   since, details)


def _maker(code: str) -> Callable[[dict, date | None, dict], Finding]:
    """The findings of one rule about members, made in bulk: its name and severity looked up once, the details
    given JSON-ready (ISO days), one tuple a finding."""
    rule = REGISTRY[code]

    def make(row: dict, since: date | None, details: dict) -> Finding:
        return Finding(code, rule.name, rule.severity, row["member_id"], row["id_number"], row["name"], since,
                       details)
    return make


def _limit(q: AsOf, code: str) -> int:
    key = REGISTRY[code].threshold
    return q.setting(key, THRESHOLDS[key])


def _away(q: AsOf) -> list:
    return q.away


def _since_day(row) -> date:
    return as_date(row["since"] + "-01")


def _months_late(q: AsOf, start: date, months: int) -> date | None:
    """The day a period of n months from start was first overdue, when that day has come."""
    deadline = add_months(start, months)
    return day_after(deadline) if q.day > deadline else None


def _late(q: AsOf, months: int, *days: str | None) -> tuple[date, date] | None:
    """(start, since) when a period of n months from the latest of some ISO days had run out by the audit day.

    Compares ISO text first (AsOf.last_late_start), so the many members on time cost no date arithmetic, and
    the late ones cost it once per distinct day (a township's first import flags a hundred thousand members
    who mostly share a few days)."""
    start = max(filter(None, days))
    if start > q.last_late_start(months):
        return None
    return q.memo(_late_since, start, months)


def _late_since(q: AsOf, start: str, months: int) -> tuple[date, date]:
    day = date.fromisoformat(start)
    return day, _months_late(q, day, months)


# ---------------------------------------------------------------- 1 cards and check-in


def card_missing(q: AsOf) -> Iterator[Finding]:
    """FP101: away without a valid 活动证."""
    make = _maker("FP101")
    for r in _away(q):
        if not r["card_issued"]:
            yield make(r, as_date(r["left_on"]), {"left_on": r["left_on"]})


def card_review_overdue(q: AsOf) -> Iterator[Finding]:
    """FP102: the card of an away member last reviewed (or issued) more than 12 months ago."""
    months = _limit(q, "FP102")
    for r in _away(q):
        late = r["card_issued"] and _late(q, months, r["card_issued"], r["card_reviewed"], r["since"] + "-01")
        if late:
            last, since = late
            yield _found("FP102", r, since, last=last, months=months)


def card_not_inspected(q: AsOf) -> Iterator[Finding]:
    """FP103: a returned member's card not inspected within 30 days of return."""
    days = _limit(q, "FP103")
    for r in q.uninspected_returns:
        deadline = as_date(r["ended_on"]) + timedelta(days=days)
        if q.day > deadline:
            yield _found("FP103", r, day_after(deadline), returned_on=r["ended_on"], days=days)


def checkin_missing(q: AsOf) -> Iterator[Finding]:
    """FP104: a card issued more than 30 days ago and no check-in for this outflow."""
    days = _limit(q, "FP104")
    for r in _away(q):
        issued = r["card_not_checked_in"]
        if issued:
            deadline = as_date(issued) + timedelta(days=days)
            if q.day > deadline:
                yield _found("FP104", r, day_after(deadline), issued_on=issued, days=days)


# ---------------------------------------------------------------- 2 dues


def _dues_population(q: AsOf) -> Iterator:
    if q.setting("dues_everyone", THRESHOLDS["dues_everyone"]):
        return (r for r in q.roster if r["category"] != "cancelled")
    return _away(q)


def _dues(q: AsOf, code: str, low: int, high: int | None) -> Iterator[Finding]:
    make = _maker(code)
    for r in _dues_population(q):
        quarterly = bool(r["quarterly"])
        run = q.last_due[quarterly] - r["first_unpaid"] + 1  # the trailing run of unpaid due months
        if run >= low and (high is None or run < high):
            since, details = q.memo(_arrears, r["first_unpaid"], quarterly, low)  # once per first month
            yield make(r, since, dict(details))


def _arrears(q: AsOf, first_unpaid: int, quarterly: bool, low: int) -> tuple[date, dict]:
    """The day arrears from a first unpaid month (Month.index) reached `low` months, and the finding's details.

    Due months start at the latest of the outflow's start, the join month and the since month; a payment
    counts when paid by the audit date and its period has fallen due (prepaid periods wait their turn).
    The query layer gives the run's first month (roster column first_unpaid)."""
    first = Month.from_index(first_unpaid)
    run = q.last_due[quarterly] - first_unpaid + 1
    return falls_due_on(first.plus(low - 1), quarterly), {"months": run, "first": str(first),
                                                           "last": str(first.plus(run - 1)), "quarterly": quarterly}


def dues_three_months(q: AsOf) -> Iterator[Finding]:
    """FP201: 3 to 5 consecutive due months unpaid (6 and more is FP202, never both)."""
    return _dues(q, "FP201", _limit(q, "FP201"), _limit(q, "FP202"))


def dues_six_months(q: AsOf) -> Iterator[Finding]:
    """FP202: 6 or more consecutive due months unpaid."""
    return _dues(q, "FP202", _limit(q, "FP202"), None)


def dues_below_standard(q: AsOf) -> Iterator[Finding]:
    """FP203: months paid by the audit date below the member's 党费标准 for the year (dues-standard)."""
    below = underpaid_months(q.led, q.day)
    for r in _dues_population(q):
        months = below.get(r["member_id"])
        if months:
            short = sum(m["standard_fen"] - m["paid_fen"] for m in months)
            yield _found("FP203", r, as_date(min(m["paid_on"] for m in months)), count=len(months),
                         months="、".join(m["period"] for m in months), standard=format_fen(months[-1]["standard_fen"]),
                         short=format_fen(short))


# ---------------------------------------------------------------- 3 reports, contact, org life, whereabouts


def _silent(q: AsOf, code: str, columns: tuple[str, ...]) -> Iterator[Finding]:
    """Away members with none of `columns` dated within the rule's months since then, leaving or the since month."""
    months = _limit(q, code)
    make = _maker(code)
    cutoff = q.last_late_start(months)
    for r in _away(q):
        heard = max([r[c] or "" for c in columns])
        start = max(heard, r["left_on"], r["since"] + "-01")
        if start <= cutoff:  # as _late, inline: this loop runs three times over every member away
            since = q.memo(_late_since, start, months)[1]
            yield make(r, since, {"last": heard or L.RULE_NONE, "start": start, "months": months})


def report_overdue(q: AsOf) -> Iterator[Finding]:
    """FP301: no report within the report period since the last report, leaving, or the since month."""
    return _silent(q, "FP301", ("last_report",))


_CONTACT = ("last_report", "last_contact", "last_checkin", "last_paid_on", "last_org_life", "last_change")


def lost_contact(q: AsOf) -> Iterator[Finding]:
    """FP302: no report, contact, check-in, dues payment, org life or outflow change for 6 months."""
    return _silent(q, "FP302", _CONTACT)


def org_life_missing(q: AsOf) -> Iterator[Finding]:
    """FP303: no org life for 6 consecutive months while away."""
    return _silent(q, "FP303", ("last_org_life",))


def whereabouts_missing(q: AsOf) -> Iterator[Finding]:
    """FP304: an away member with no phone (while away or on the roster) or no destination."""
    for r in _away(q):
        missing = [L.FIELD_PHONE] if not r["phone"] else []
        if not r["province"] and not r["city"]:
            missing.append(L.FIELD_DESTINATION)
        if missing:
            yield _found("FP304", r, as_date(r["left_on"]), missing="、".join(missing))


# ---------------------------------------------------------------- 4 transfer and temporary groups


def fixed_place_not_transferred(q: AsOf) -> Iterator[Finding]:
    """FP401: away 6 months or more at a fixed place without transferring the org relationship."""
    months = _limit(q, "FP401")
    for r in _away(q):
        if r["fixed_place"]:
            reached = add_months(as_date(r["left_on"]), months)
            if q.day >= reached:
                yield _found("FP401", r, reached, left_on=r["left_on"], months=months)


def group_missing(q: AsOf) -> Iterator[Finding]:
    """FP402: 3 or more full members away in one city and no 临时党小组 there."""
    least = _limit(q, "FP402")
    by_city: dict[tuple[str, str], list] = {}
    for r in _away(q):
        if r["category"] == "full" and r["city"]:
            by_city.setdefault((r["province"], r["city"]), []).append(r)
    groups = q.group_cities
    for (province, city), rows in sorted(by_city.items()):
        if len(rows) >= least and city not in groups:
            rows.sort(key=lambda r: r["left_on"] + r["name"])  # by day, then name: ISO days are all 10 long
            yield _found("FP402", None, as_date(rows[least - 1]["left_on"]), city=city, province=province,
                         count=len(rows), names="、".join(r["name"] for r in rows))


# ---------------------------------------------------------------- 5 probation


def probation_ending(q: AsOf) -> Iterator[Finding]:
    """FP501: an away probationary member whose probation ends within 60 days (not yet passed: FP502)."""
    days = _limit(q, "FP501")
    for r in _away(q):
        ends = as_date(r["probation_ends"])
        if r["category"] == "probationary" and ends and q.day <= ends <= q.day + timedelta(days=days):
            yield _found("FP501", r, ends - timedelta(days=days), ends=ends, days=(ends - q.day).days)


def probation_overdue(q: AsOf) -> Iterator[Finding]:
    """FP502: a probation end has passed with no conversion, extension or cancellation recorded by the day."""
    for r in q.roster:
        ends = as_date(r["probation_ends"])
        if r["category"] == "probationary" and ends and _since_day(r) <= ends < q.day:
            yield _found("FP502", r, day_after(ends), ends=ends)


# ---------------------------------------------------------------- 6 inflow members


def inflow_unverified(q: AsOf) -> Iterator[Finding]:
    """FP601: an inflow member's card not verified."""
    for r in q.inflows:
        if not r["verified"]:
            yield _found("FP601", r, as_date(r["arrived_on"]), arrived_on=r["arrived_on"])


def inflow_unassigned(q: AsOf) -> Iterator[Finding]:
    """FP602: an inflow member not assigned to a branch."""
    for r in q.inflows:
        if not r["assigned"]:
            yield _found("FP602", r, as_date(r["arrived_on"]), arrived_on=r["arrived_on"])


def feedback_overdue(q: AsOf) -> Iterator[Finding]:
    """FP603: no feedback to an inflow member's origin organisation for 12 months."""
    months = _limit(q, "FP603")
    for r in q.inflows:
        late = _late(q, months, r["last_feedback"], r["arrived_on"], r["since"] + "-01")
        if late:
            since = late[1]
            yield _found("FP603", r, since, last=r["last_feedback"] or L.RULE_NONE, months=months)


# ---------------------------------------------------------------- 9 the ledger itself


def ledger_unsound(q: AsOf) -> Iterator[Finding]:
    """FP901: SQLite's page check fails (small ledgers), `check` has not passed since the last import or merge or
    for 30 days (info), or a row holds an impossible date (after the real today, or out of order)."""
    conn = q.led.conn
    pages = integrity.size(conn) <= integrity.AUDIT_PAGE_CHECK_BYTES
    for problem in integrity.damage(conn, full=False, pages=pages, foreign_keys=False):
        yield _found("FP901", None, None, problem=problem, fix=L.DAMAGE_FIX)
    due = integrity.check_due(q.led, datetime.now())
    if due:
        yield _found("FP901", None, None, "info", problem=due, fix=L.CHECK_DUE_FIX)
    for p in integrity.date_problems(conn, date.today()):
        row = {"member_id": p.member_id, "id_number": p.id_number, "name": p.name} if p.member_id else None
        yield _found("FP901", row, None, problem=p.text, fix=p.fix)


# ---------------------------------------------------------------- the registry

REGISTRY: MappingProxyType[str, Rule] = MappingProxyType({rule.code: rule for rule in (
    Rule("FP101", "card-missing", "error", None, card_missing, ("card_issued",)),
    Rule("FP102", "card-review-overdue", "error", "card_review_months", card_review_overdue,
         ("card_issued", "card_reviewed")),
    Rule("FP103", "card-not-inspected", "warning", "inspect_days", card_not_inspected),
    Rule("FP104", "checkin-missing", "warning", "checkin_days", checkin_missing, ("card_not_checked_in",)),
    Rule("FP201", "dues-three-months", "warning", "dues_warning_months", dues_three_months, ("first_unpaid",)),
    Rule("FP202", "dues-six-months", "error", "dues_error_months", dues_six_months, ("first_unpaid",)),
    Rule("FP203", "dues-below-standard", "warning", None, dues_below_standard),
    Rule("FP301", "report-overdue", "warning", "report_months", report_overdue, ("last_report",)),
    Rule("FP302", "lost-contact", "error", "lost_contact_months", lost_contact, _CONTACT),
    Rule("FP303", "org-life-missing", "error", "org_life_months", org_life_missing, ("last_org_life",)),
    Rule("FP304", "whereabouts-missing", "warning", None, whereabouts_missing),
    Rule("FP401", "fixed-place-not-transferred", "warning", "fixed_place_months", fixed_place_not_transferred),
    Rule("FP402", "group-missing", "info", "group_min_members", group_missing),
    Rule("FP501", "probation-ending", "warning", "probation_notice_days", probation_ending, ("probation_ends",)),
    Rule("FP502", "probation-overdue", "error", None, probation_overdue, ("probation_ends",)),
    Rule("FP601", "inflow-unverified", "warning", None, inflow_unverified),
    Rule("FP602", "inflow-unassigned", "warning", None, inflow_unassigned),
    Rule("FP603", "feedback-overdue", "warning", "feedback_months", feedback_overdue),
    Rule("FP901", "ledger-unsound", "error", None, ledger_unsound),
)})


def find_rule(text: str) -> Rule:
    """A rule by code (fp202, FP202) or name (dues-six-months)."""
    token = fold(text).strip()
    for rule in REGISTRY.values():
        if token.upper() == rule.code or token.lower() == rule.name:
            return rule
    raise BadInput(L.RULE_UNKNOWN.format(value=text), L.RULE_UNKNOWN_HINT)


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """The rules chosen by codes, code prefixes (FP2) or names, comma-separated or repeated; ignore wins."""

    def matching(tokens: Iterable[str]) -> set[str]:
        codes: set[str] = set()
        for token in (t.strip() for text in tokens for t in fold(text).split(",")):
            if not token:
                continue
            hits = {c for c, r in REGISTRY.items() if c.startswith(token.upper()) or r.name == token.lower()}
            if not hits:
                raise BadInput(L.RULE_UNKNOWN.format(value=token), L.RULE_UNKNOWN_HINT)
            codes |= hits
        return codes

    chosen = matching(select) if any(fold(t).strip(", ") for t in select) else set(REGISTRY)
    dropped = matching(ignore)
    return [rule for code, rule in REGISTRY.items() if code in chosen - dropped]


def thresholds(led: Ledger | None) -> dict[str, int | None]:
    """code → the threshold each rule uses in this ledger (its setting, else the SPEC default; None: no threshold)."""
    values = {}
    for code, rule in REGISTRY.items():
        default = THRESHOLDS[rule.threshold] if rule.threshold else None
        stored = led.setting(rule.threshold) if led and rule.threshold else None
        values[code] = int(stored) if stored not in (None, "") else default
    return values


def run_audit(led: Ledger, as_of: date, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Finding]:
    """Every finding of the chosen rules on the ledger as it stood on as_of: worst first, then by member and code."""
    chosen = select_rules(select, ignore)
    q = AsOf(led, as_of, {fact for rule in chosen for fact in rule.reads})
    with bulk():
        findings = [f for rule in chosen for f in rule.check(q)]  # each rule's in the roster's order: runs to merge
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        return sorted(findings, key=lambda f: (rank[f.severity], f.member_name is None, f.member_name or "",
                                               f.member_id or 0, f.code, f.since or date.min))


@contextmanager
def bulk() -> Iterator[None]:
    """While hundreds of thousands of findings, roster rows or their JSON objects are made: none holds a reference
    cycle, so the cyclic garbage collector is paused instead of walking them again and again (measured: half the
    cost of building the JSON objects of 500,000 findings)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def statistics(findings: Iterable[Finding]) -> dict[str, int]:
    """code → count, in code order."""
    counts: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: f.code):
        counts[f.code] = counts.get(f.code, 0) + 1
    return counts


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding is at or above the --fail-on severity ('never' never fails)."""
    if fail_on == "never":
        return False
    worst = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) <= worst for f in findings)


def todo(led: Ledger, as_of: date, days: int = 30) -> list[Finding]:
    """The clerk's work list: findings that will begin within the coming days, by the day they begin.

    It is the audit of as_of + days minus the audit of as_of, so it can never disagree with the rules."""
    later = as_of + timedelta(days=days)
    now = {f.key for f in run_audit(led, as_of, ignore=["FP9"])}
    coming = [f for f in run_audit(led, later, ignore=["FP9"])
              if f.key not in now and f.since and as_of < f.since <= later]
    return sorted(coming, key=lambda f: (f.since, f.member_name or "", f.code))
