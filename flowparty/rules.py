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
import json
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from operator import attrgetter
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, NamedTuple

from flowparty import labels as L
from flowparty.asof import AsOf, Columns, add_months, day_after, falls_due_on, last_paid_on
from flowparty.db import Ledger, as_date
from flowparty.dues import underpaid_months
from flowparty.errors import BadInput
from flowparty import integrity
from flowparty.parse import Month, fold, format_fen
from flowparty.places import place_name

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

    def message_naming(self, shown: int, more: str) -> str:
        """The message with its list of names (FP402's: everyone away in a city, thousands in a big ledger) cut
        after the first `shown`, and `more` ({count}) saying how many were left out."""
        names = self.details.get("names")
        if not names or names.count("、") < shown:
            return self.message
        kept = "、".join(names.split("、", shown)[:shown]) + more.format(count=self.details["count"] - shown)
        return L.RULE_TEXT[self.code]["message"].format(**{**self.details, "names": kept})

    @property
    def hint(self) -> str:
        """What to do about it ("请…")."""
        return L.RULE_TEXT[self.code]["hint"].format(**self.details)

    @property
    def key(self) -> tuple:
        """What makes a finding the same one on another day (the todo list compares two dates)."""
        return self.code, self.member_id, self.details.get("city")

    def as_json(self) -> dict:
        return json.loads(next(findings_json([self])))


def findings_json(findings: Iterable[Finding], extra: Callable[[Finding], dict] | None = None) -> Iterator[str]:
    """The SPEC §4 JSON object of each finding as compact text (what json.dumps gives with separators (",", ":")),
    made in bulk: a rule's opening keys, and the message, hint and details of each distinct details, are encoded
    once, so a finding costs little more than its member's name and 身份证号 (a township's first import flags half
    a million). `extra` adds keys to each object (the branch of a township's audit)."""
    heads: dict[tuple, str] = {}
    texts: dict[tuple, tuple[str, str]] = {}
    days: dict[date | None, str] = {None: "null"}
    encode, member_id, member = _encode_string, None, "null"
    with bulk():
        for f in findings:
            head = heads.get((f.code, f.severity))
            if head is None:
                head = heads[f.code, f.severity] = '{"code":%s,"name":%s,"severity":%s,"member":' % (
                    _encode_string(f.code), _encode_string(f.name), _encode_string(f.severity))
            key = (f.code, *f.details.items())
            said = texts.get(key)
            if said is None:
                said = texts[key] = _said(f)
            day = days.get(f.since)
            if day is None:
                day = days[f.since] = '"%s"' % f.since.isoformat()
            if f.member_id != member_id:  # in the audit's order a member's findings come together
                member_id = f.member_id
                member = ('{"id_number":%s,"name":%s}' % (encode(f.id_number), encode(f.member_name))  # NOT NULL
                          if member_id else "null")
            text = "".join((head, member, said[0], day, said[1]))
            yield text[:-1] + "," + _compact(extra(f))[1:] if extra else text


def _said(f: Finding) -> tuple[str, str]:
    """A finding's JSON from its message to its day, and from its details to the end."""
    return (',"message":%s,"hint":%s,"since":' % (_encode_string(f.message), _encode_string(f.hint)),
            ',"details":%s}' % _compact(f.details))


_encode_string = json.encoder.encode_basestring  # json's own (C) quoting, as json.dumps(ensure_ascii=False)
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Rule(NamedTuple):
    code: str
    name: str
    severity: str
    threshold: str | None  # the THRESHOLDS key, None for a rule without one
    check: Callable[[AsOf], Iterator[Finding]]
    reads: tuple[str, ...] = ()  # the roster facts (asof.FACTS) the rule reads


Who = tuple  # (member row id, 身份证号, name) of the member a finding is about: Columns.who(i)


def _found(code: str, who: Who | None, since: date | None, severity: str | None = None, **details) -> Finding:
    rule = REGISTRY[code]
    for key, value in details.items():
        if isinstance(value, date):
            details[key] = value.isoformat()
    return Finding(code, rule.name, severity or rule.severity, *(who or (None, None, None)), since, details)


def _maker(code: str, rows: Columns) -> Callable[[int, date | None, dict], Finding]:
    """The findings of one rule about the members of some rows, made in bulk: its name and severity looked up
    once, the details given JSON-ready (ISO days), one tuple a finding about row i."""
    rule = REGISTRY[code]
    ids, id_numbers, names = rows.member_id, rows.id_number, rows.name

    def make(i: int, since: date | None, details: dict) -> Finding:
        return Finding(code, rule.name, rule.severity, ids[i], id_numbers[i], names[i], since, details)
    return make


def _limit(q: AsOf, code: str) -> int:
    key = REGISTRY[code].threshold
    return q.setting(key, THRESHOLDS[key])


def _away(q: AsOf) -> Columns:
    return q.away


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
    a = _away(q)
    make = _maker("FP101", a)
    for i, (issued, left_on) in enumerate(zip(a.card_issued, a.left_on)):
        if not issued:
            yield make(i, as_date(left_on), {"left_on": left_on})


def card_review_overdue(q: AsOf) -> Iterator[Finding]:
    """FP102: the card of an away member last reviewed (or issued) more than 12 months ago."""
    months = _limit(q, "FP102")
    a = _away(q)
    cutoff = q.last_late_start(months)
    starts = [since_month + "-01" for since_month in a.since]
    for i, (issued, reviewed, start) in enumerate(zip(a.card_issued, a.card_reviewed, starts)):
        if issued and issued <= cutoff and start <= cutoff and (not reviewed or reviewed <= cutoff):  # as _late
            last, since = _late(q, months, issued, reviewed, start)
            yield _found("FP102", a.who(i), since, last=last, months=months)


def card_not_inspected(q: AsOf) -> Iterator[Finding]:
    """FP103: a returned member's card not inspected within 30 days of return."""
    days = _limit(q, "FP103")
    rows = q.uninspected_returns
    for i, ended_on in enumerate(rows.ended_on):
        deadline = as_date(ended_on) + timedelta(days=days)
        if q.day > deadline:
            yield _found("FP103", rows.who(i), day_after(deadline), returned_on=ended_on, days=days)


def checkin_missing(q: AsOf) -> Iterator[Finding]:
    """FP104: a card issued more than 30 days ago and no check-in for this outflow."""
    days = _limit(q, "FP104")
    a = _away(q)
    for i, issued in enumerate(a.card_not_checked_in):
        if issued:
            deadline = as_date(issued) + timedelta(days=days)
            if q.day > deadline:
                yield _found("FP104", a.who(i), day_after(deadline), issued_on=issued, days=days)


# ---------------------------------------------------------------- 2 dues


def _dues_population(q: AsOf) -> Columns:
    if q.setting("dues_everyone", THRESHOLDS["dues_everyone"]):
        return q.memo(_not_cancelled)
    return _away(q)


def _not_cancelled(q: AsOf) -> Columns:
    roster = q.roster
    return roster.take([i for i, category in enumerate(roster.category) if category != "cancelled"])


def _dues(q: AsOf, code: str, low: int, high: int | None) -> Iterator[Finding]:
    rows = _dues_population(q)
    make = _maker(code, rows)
    due_monthly, due_quarterly = q.last_due[False], q.last_due[True]
    for i, (quarterly, first_unpaid) in enumerate(zip(rows.quarterly, rows.first_unpaid)):
        run = (due_quarterly if quarterly else due_monthly) - first_unpaid + 1  # the trailing run of unpaid months
        if run >= low and (high is None or run < high):
            since, details = q.memo(_arrears, first_unpaid, bool(quarterly), low)  # once per first month
            yield make(i, since, dict(details))


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
    if not below:
        return
    rows = _dues_population(q)
    for i, member_id in enumerate(rows.member_id):
        months = below.get(member_id)
        if months:
            short = sum(m["standard_fen"] - m["paid_fen"] for m in months)
            yield _found("FP203", rows.who(i), as_date(min(m["paid_on"] for m in months)), count=len(months),
                         months="、".join(m["period"] for m in months), standard=format_fen(months[-1]["standard_fen"]),
                         short=format_fen(short))


# ---------------------------------------------------------------- 3 reports, contact, org life, whereabouts


def _silent(q: AsOf, code: str, columns: tuple[str, ...], also: Callable | None = None) -> Iterator[Finding]:
    """Away members with none of `columns` dated within the rule's months since then, leaving or the since month.

    The columns hold ISO days, '' for none, so the latest is max() over them, at C speed (map). `also(q, member
    ids)` gives one more fact (member id → ISO day) read only for the members the columns leave silent: the
    newest of the facts is what counts, so the others need not ask."""
    months = _limit(q, code)
    a = _away(q)
    make = _maker(code, a)
    cutoff = q.last_late_start(months)
    heard = list(map(max, *(a[c] for c in columns))) if len(columns) > 1 else a[columns[0]]
    starts = q.memo(_starts)
    late = [i for i, (h, s) in enumerate(zip(heard, starts)) if s <= cutoff and h <= cutoff]
    if also is not None and late:
        more = also(q, [a.member_id[i] for i in late])
        if more:
            heard = list(heard)
            for i in late:
                day = more.get(a.member_id[i])
                if day and day > heard[i]:
                    heard[i] = day
            late = [i for i in late if heard[i] <= cutoff]
    for i in late:
        last = heard[i]
        start = max(last, starts[i])
        since = q.memo(_late_since, start, months)[1]
        yield make(i, since, {"last": last or L.RULE_NONE, "start": start, "months": months})


def _starts(q: AsOf) -> list[str]:
    """The ISO day each away member's silence could start at the earliest: leaving, or the since month."""
    a = _away(q)
    return list(map(max, a.left_on, [since + "-01" for since in a.since]))


def report_overdue(q: AsOf) -> Iterator[Finding]:
    """FP301: no report within the report period since the last report, leaving, or the since month."""
    return _silent(q, "FP301", ("last_report",))


_CONTACT = ("last_report", "last_org_life", "last_heard")


def lost_contact(q: AsOf) -> Iterator[Finding]:
    """FP302: no report, contact, check-in, dues payment, org life or outflow change for 6 months. The last dues
    payment (a seek into the biggest table) is read only for the members the other facts leave silent."""
    return _silent(q, "FP302", _CONTACT, last_paid_on)


def org_life_missing(q: AsOf) -> Iterator[Finding]:
    """FP303: no org life for 6 consecutive months while away."""
    return _silent(q, "FP303", ("last_org_life",))


def whereabouts_missing(q: AsOf) -> Iterator[Finding]:
    """FP304: an away member with no phone (while away or on the roster) or no destination."""
    a = _away(q)
    for i, (phone, province, city) in enumerate(zip(a.phone, a.province, a.city)):
        if not phone or (not province and not city):
            missing = [L.FIELD_PHONE] if not phone else []
            if not province and not city:
                missing.append(L.FIELD_DESTINATION)
            yield _found("FP304", a.who(i), as_date(a.left_on[i]), missing="、".join(missing))


# ---------------------------------------------------------------- 4 transfer and temporary groups


def fixed_place_not_transferred(q: AsOf) -> Iterator[Finding]:
    """FP401: away 6 months or more at a fixed place without transferring the org relationship."""
    months = _limit(q, "FP401")
    a = _away(q)
    for i, fixed in enumerate(a.fixed_place):
        if fixed:
            reached = add_months(as_date(a.left_on[i]), months)
            if q.day >= reached:
                yield _found("FP401", a.who(i), reached, left_on=a.left_on[i], months=months)


def group_missing(q: AsOf) -> Iterator[Finding]:
    """FP402: 3 or more full members away in one city and no 临时党小组 there."""
    least = _limit(q, "FP402")
    a = _away(q)
    by_city: dict[tuple[str, str], list] = {}
    for i, (category, province, city) in enumerate(zip(a.category, a.province, a.city)):
        if category == "full" and city:
            by_city.setdefault((province, city), []).append(i)
    groups = q.group_cities
    for (province, city), rows in sorted(by_city.items()):
        if len(rows) >= least and city not in groups:
            rows.sort(key=a.left_on.__getitem__)  # by day, then name: stable, and the roster is in name order
            yield _found("FP402", None, as_date(a.left_on[rows[least - 1]]), city=city, province=province,
                         place=place_name(province, city), count=len(rows),
                         names="、".join(map(a.name.__getitem__, rows)))


# ---------------------------------------------------------------- 5 probation


def probation_ending(q: AsOf) -> Iterator[Finding]:
    """FP501: an away probationary member whose probation ends within 60 days (not yet passed: FP502)."""
    days = _limit(q, "FP501")
    a = _away(q)
    for i, (category, probation_ends) in enumerate(zip(a.category, a.probation_ends)):
        if category == "probationary" and probation_ends:
            ends = as_date(probation_ends)
            if q.day <= ends <= q.day + timedelta(days=days):
                yield _found("FP501", a.who(i), ends - timedelta(days=days), ends=ends, days=(ends - q.day).days)


def probation_overdue(q: AsOf) -> Iterator[Finding]:
    """FP502: a probation end has passed with no conversion, extension or cancellation recorded by the day."""
    rows = q.roster
    for i, (category, probation_ends) in enumerate(zip(rows.category, rows.probation_ends)):
        if category == "probationary" and probation_ends:
            ends = as_date(probation_ends)
            if as_date(rows.since[i] + "-01") <= ends < q.day:
                yield _found("FP502", rows.who(i), day_after(ends), ends=ends)


# ---------------------------------------------------------------- 6 inflow members


def inflow_unverified(q: AsOf) -> Iterator[Finding]:
    """FP601: an inflow member's card not verified."""
    rows = q.inflows
    for i, verified in enumerate(rows.verified):
        if not verified:
            yield _found("FP601", rows.who(i), as_date(rows.arrived_on[i]), arrived_on=rows.arrived_on[i])


def inflow_unassigned(q: AsOf) -> Iterator[Finding]:
    """FP602: an inflow member not assigned to a branch."""
    rows = q.inflows
    for i, assigned in enumerate(rows.assigned):
        if not assigned:
            yield _found("FP602", rows.who(i), as_date(rows.arrived_on[i]), arrived_on=rows.arrived_on[i])


def feedback_overdue(q: AsOf) -> Iterator[Finding]:
    """FP603: no feedback to an inflow member's origin organisation for 12 months."""
    months = _limit(q, "FP603")
    rows = q.inflows
    for i, (last, arrived_on, since_month) in enumerate(zip(rows.last_feedback, rows.arrived_on, rows.since)):
        late = _late(q, months, last, arrived_on, since_month + "-01")
        if late:
            yield _found("FP603", rows.who(i), late[1], last=last or L.RULE_NONE, months=months)


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
        who = (p.member_id, p.id_number, p.name) if p.member_id else None
        yield _found("FP901", who, None, problem=p.text, fix=p.fix)


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
        return _in_audit_order([f for rule in chosen for f in rule.check(q)])


def _in_audit_order(found: list[Finding]) -> list[Finding]:
    """Worst first; in each severity the members' findings by name, then row id, each member's by code, then day,
    and the ledger's own last, by code, then day. The rules run in code order and each yields its findings about
    a member in day order, so a stable sort by (name, id), with a key made in C, keeps the rest (half a million
    findings of a township's first import: a tuple built in Python for each was a second of the audit)."""
    groups: dict[str, tuple[list, list]] = {severity: ([], []) for severity in SEVERITIES}
    for f in found:
        groups[f.severity][f.member_id is None].append(f)
    ordered = []
    for members, ledger in groups.values():
        members.sort(key=_by_member)
        ledger.sort(key=lambda f: (f.code, f.since or date.min))
        ordered += members
        ordered += ledger
    return ordered


_by_member = attrgetter("member_name", "member_id")


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
