"""The audit's one query layer: the ledger as it stood on a date.

Status columns hold today's state, so everything here is rebuilt from dated rows: an outflow is active on D
when left_on <= D and it had not ended by D; a card is valid on D when issued by D and not voided by D; a
payment counts when paid by D and its period is due; a conversion or extension decided after D does not
count. Records dated after D are ignored, so the audit of 31 December gives the same answer in January.
Set work stays in SQL, one index seek per member and table, so 100,000 members audit in seconds.
"""

from __future__ import annotations

import calendar
import json
import sqlite3
from functools import cached_property
from operator import itemgetter
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Callable, Iterable

from flowparty.db import Ledger
from flowparty.parse import Month


def add_months(day: date, months: int) -> date:
    """The same day n months later (or earlier), clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = 28 if day.day <= 28 else calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def last_due_month(as_of: date, quarterly: bool = False) -> Month:
    """The last month due on as_of: the month before it, or for a quarterly payer the last quarter that ended."""
    month = Month.of(as_of).plus(-1)
    return month.plus(-(month.month % 3)) if quarterly else month


def falls_due_on(month: Month, quarterly: bool = False) -> date:
    """The day a month's dues fall due: the first day after the month, or after its quarter for quarterly payers."""
    end = month.plus((3 - month.month % 3) % 3) if quarterly else month
    return end.plus(1).first_day


def outflow_values(led: Ledger, day: date, outflow_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """outflow id → the fields its dated updates (update-outflow) had changed by the day, each at its latest value.

    An outflow row holds what was registered (corrected by edit-outflow); an update is an event from its date on,
    so the place, employer or phone on any day is the registered value overlaid by the updates dated by then.
    Few outflows have updates, so this is one small query, not a column per field in every roster query."""
    only = "AND outflow_id IN (SELECT value FROM json_each(:ids))" if outflow_ids is not None else ""
    rows = led.conn.execute(
        f"SELECT outflow_id, new_values FROM outflow_changes WHERE void_reason IS NULL AND changed_on <= :d {only}"
        " AND new_values IS NOT NULL ORDER BY outflow_id, changed_on, id",
        {"d": day, "ids": json.dumps(outflow_ids or [])}).fetchall()
    found: dict[int, dict[str, Any]] = {}
    for outflow_id, values in rows:
        found.setdefault(outflow_id, {}).update(json.loads(values))
    return found


def outflow_on(led: Ledger, outflow, day: date) -> dict[str, Any]:
    """One outflow row as it stood on the day (its dated updates applied)."""
    return {**dict(outflow), **outflow_values(led, day, [outflow["id"]]).get(outflow["id"], {})}


def _month(text: str | None) -> Month | None:
    return Month(int(text[:4]), int(text[5:7])) if text else None


# What the ledger's conversions had decided about a member by :d, one row per member who has any (alias v):
# built once for the whole roster and joined by member, instead of a seek per member for each question.
_CONVERSIONS = """
    SELECT member_id, max(outcome = 'cancelled' AND decided_on <= :d) AS cancelled,
           max(outcome = 'converted' AND decided_on <= :d) AS converted_by, max(outcome = 'converted') AS converted,
           max(outcome = 'extended') AS extended
    FROM conversions GROUP BY member_id"""
# A member's category and probation end on :d, rebuilt from the dated conversions (alias m = members).
_CATEGORY_ON = """
    CASE WHEN v.cancelled THEN 'cancelled' WHEN v.converted_by THEN 'full'
         WHEN m.category = 'full' AND NOT COALESCE(v.converted, 0) THEN 'full'
         ELSE 'probationary' END"""
_PROBATION_ENDS_ON = """
    COALESCE(CASE WHEN v.extended THEN COALESCE(
               (SELECT c.new_end FROM conversions c WHERE c.member_id = m.id AND c.outcome = 'extended'
                AND c.decided_on <= :d),
               (SELECT json_extract(h.old_values, '$.probation_ends') FROM history h
                WHERE h.member_id = m.id AND h.table_name = 'members' AND h.action = 'update'
                AND json_extract(h.old_values, '$.probation_ends') IS NOT NULL ORDER BY h.id LIMIT 1)) END,
             m.probation_ends)"""


def _index(column: str) -> str:
    """SQL for the Month.index of an ISO date or 'YYYY-MM' column (NULL stays NULL)."""
    return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"


# The dated facts the rules read, each a correlated seek per member into its table's (member, date) index; a
# rule names the facts it reads (rules.Rule.reads) and the roster query computes only those. first_unpaid is
# the first month of the trailing run of unpaid dues (Month.index): the month after the latest paid one, but
# not before the since month, the join month or the outflow's start month.
FACTS = MappingProxyType({
    "card_issued": """(SELECT c.issued_on FROM cards c WHERE c.member_id = m.id AND c.issued_on <= :d
         AND (c.voided_on IS NULL OR c.voided_on > :d) ORDER BY c.issued_on DESC LIMIT 1)""",
    "card_reviewed": """(SELECT max(r.reviewed_on) FROM cards c JOIN card_reviews r ON r.card_id = c.id
         WHERE c.member_id = m.id AND c.issued_on <= :d AND (c.voided_on IS NULL OR c.voided_on > :d)
         AND r.reviewed_on <= :d AND r.void_reason IS NULL)""",
    # the first card of the outflow, when no check-in for the outflow is recorded: looked for only then
    "card_not_checked_in": """CASE WHEN NOT EXISTS (SELECT 1 FROM checkins k WHERE k.member_id = m.id
         AND k.outflow_id = o.id AND k.checked_in_on <= :d AND k.void_reason IS NULL)
         THEN (SELECT min(c.issued_on) FROM cards c WHERE c.member_id = m.id AND c.outflow_id = o.id
               AND c.issued_on <= :d AND (c.voided_on IS NULL OR c.voided_on > c.issued_on)) END""",
    # the days the silence rules (FP301-FP303) compare are '' for none, so Python's max reads them as they come
    "last_report": """COALESCE((SELECT max(r.reported_on) FROM reports r WHERE r.member_id = m.id
         AND r.reported_on <= :d AND r.void_reason IS NULL), '')""",
    # FP302's other signs of life, the latest of three, one column: a contact, a check-in or an outflow change
    "last_heard": """max(COALESCE((SELECT max(x.contacted_on) FROM contacts x WHERE x.member_id = m.id
         AND x.contacted_on <= :d AND x.void_reason IS NULL), ''),
         COALESCE((SELECT max(k.checked_in_on) FROM checkins k WHERE k.member_id = m.id
         AND k.checked_in_on <= :d AND k.void_reason IS NULL), ''),
         COALESCE((SELECT max(u.changed_on) FROM outflow_changes u WHERE u.member_id = m.id
         AND u.changed_on <= :d AND u.void_reason IS NULL), ''))""",
    "last_org_life": """COALESCE((SELECT max(g.held_on) FROM org_life g WHERE g.member_id = m.id
         AND g.held_on <= :d AND g.void_reason IS NULL), '')""",
    "first_unpaid": f"""max({_index('COALESCE(b.since, :since)')}, COALESCE({_index('o.left_on')}, 0),
         COALESCE({_index('m.joined_on')}, 0),
         COALESCE((SELECT {_index('p.period')} + 1 FROM dues p WHERE p.member_id = m.id AND p.void_reason IS NULL
                   AND p.period <= CASE WHEN m.quarterly THEN :due_q ELSE :due_m END AND p.paid_on <= :d
                   ORDER BY p.period DESC LIMIT 1), 0))""",
    "probation_ends": _PROBATION_ENDS_ON,
})

# One row per roster member on :d (not an inflow member, not transferred or cancelled by :d, joined by :d),
# with the outflow active on :d (NULL columns when home), then the chosen FACTS.
_ROSTER = """
SELECT m.id AS member_id, m.id_number, m.name, m.joined_on, m.quarterly, m.phone AS member_phone,
       {category} AS category, COALESCE(b.since, :since) AS since,
       o.id AS outflow_id, o.left_on, o.province, o.city, o.fixed_place,
       COALESCE(NULLIF(o.phone, ''), NULLIF(m.phone, '')) AS phone{facts}
FROM members m
LEFT JOIN outflows o ON o.member_id = m.id AND o.left_on <= :d AND (o.ended_on IS NULL OR o.ended_on > :d)
LEFT JOIN branches b ON b.id = m.branch_id AND b.since IS NOT NULL
LEFT JOIN ({conversions}) v ON v.member_id = m.id
WHERE (m.id NOT IN (SELECT i.member_id FROM inflows i) OR EXISTS (SELECT 1 FROM outflows x WHERE x.member_id = m.id))
  AND m.id NOT IN (SELECT t.member_id FROM transfers t WHERE t.transferred_on <= :d AND t.void_reason IS NULL)
  AND (m.joined_on IS NULL OR m.joined_on <= :d)
"""


def roster_sql(facts: Iterable[str]) -> str:
    """The roster query with the chosen facts (FACTS keys) as columns of the same names."""
    columns = "".join(f",\n       {FACTS[name]} AS {name}" for name in FACTS if name in set(facts))
    return _ROSTER.format(category=_CATEGORY_ON, facts=columns, conversions=_CONVERSIONS)

# Returns by :d whose card (held on the day of return) had not been inspected by :d.
_UNINSPECTED = """
SELECT m.id AS member_id, m.id_number, m.name, o.ended_on
FROM outflows o JOIN members m ON m.id = o.member_id
WHERE o.end_kind = 'returned' AND o.ended_on <= :d AND o.ended_on >= COALESCE((SELECT b.since || '-01' FROM branches b WHERE b.id = m.branch_id
                                AND b.since IS NOT NULL), :since_day)
  AND (o.inspected_on IS NULL OR o.inspected_on > :d)
  AND EXISTS (SELECT 1 FROM cards c WHERE c.member_id = m.id AND c.issued_on <= o.ended_on
              AND (c.voided_on IS NULL OR c.voided_on >= o.ended_on))
  AND NOT EXISTS (SELECT 1 FROM outflows later WHERE later.member_id = m.id AND later.left_on > o.ended_on
                  AND later.left_on <= :d)
ORDER BY m.name, m.id, o.ended_on
"""

# Inflow members here on :d, with verification, assignment and the last feedback as of :d.
_INFLOWS = """
SELECT m.id AS member_id, m.id_number, m.name, i.arrived_on, COALESCE(b.since, :since) AS since,
       i.verified_on IS NOT NULL AND i.verified_on <= :d AS verified,
       EXISTS (SELECT 1 FROM checkins k WHERE k.member_id = m.id AND k.outflow_id IS NULL AND k.void_reason IS NULL
               AND COALESCE(k.branch, '') != '' AND k.checked_in_on <= :d)
         OR (COALESCE(i.branch, '') != '' AND NOT EXISTS (SELECT 1 FROM checkins k WHERE k.member_id = m.id
             AND k.outflow_id IS NULL AND k.void_reason IS NULL AND COALESCE(k.branch, '') != '')) AS assigned,
       (SELECT max(f.sent_on) FROM feedback f WHERE f.member_id = m.id AND f.sent_on <= :d AND f.void_reason IS NULL)
         AS last_feedback
FROM inflows i JOIN members m ON m.id = i.member_id
LEFT JOIN branches b ON b.id = m.branch_id AND b.since IS NOT NULL
WHERE i.arrived_on <= :d AND (i.ended_on IS NULL OR i.ended_on > :d)
ORDER BY m.name, m.id, i.arrived_on
"""

_MISSING = object()


class Columns:
    """Rows held by column: one list per column, item i of every list the same row (member).

    The audit reads a few columns of every roster member, rule after rule: a list per column holds a value in one
    pointer, where a dict per member cost a hash table each, and a rule walks the columns it reads with zip.
    Columns are attributes (roster.left_on) and items (roster["left_on"]); who(i) is what a finding names."""

    def __init__(self, names: Iterable[str], rows: list[tuple] | None = None, columns: list[list] | None = None):
        self.names = tuple(names)
        if columns is None:
            columns = [list(column) for column in zip(*rows)] if rows else [[] for _ in self.names]
        self.size = len(columns[0]) if columns else 0
        for name, column in zip(self.names, columns):
            setattr(self, name, column)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, name: str) -> list:
        return getattr(self, name)

    def take(self, keep: list[int]) -> "Columns":
        """The rows at the given positions, in that order."""
        if len(keep) == self.size:
            return self
        return Columns(self.names, columns=[[column[i] for i in keep] for column in map(self.__getitem__, self.names)])

    def row(self, i: int) -> dict[str, Any]:
        return {name: getattr(self, name)[i] for name in self.names}

    def who(self, i: int) -> tuple[int, str, str]:
        """(member row id, 身份证号, name) of row i: the member a finding is about."""
        return self.member_id[i], self.id_number[i], self.name[i]


class AsOf:
    """The ledger on one day: the roster, returns, inflows and groups as they stood, and the settings."""

    def __init__(self, led: Ledger, day: date, facts: Iterable[str] = FACTS):
        self.led = led
        self.day = day
        self.facts = tuple(facts)  # the FACTS the roster computes: those the chosen rules read
        self.since = led.setting("since") or str(Month.of(day))
        self._late_starts: dict[int, str] = {}
        self._memo: dict[tuple, Any] = {}

    def _rows(self, sql: str, **params: Any) -> list[sqlite3.Row]:
        return self._cursor(sql, params).fetchall()

    def _cursor(self, sql: str, params: dict[str, Any], row_factory=sqlite3.Row) -> sqlite3.Cursor:
        cursor = self.led.conn.cursor()
        cursor.row_factory = row_factory
        return cursor.execute(sql, {"d": self.day, "since": self.since, "since_day": _month(self.since).first_day,
                                    **params})

    def memo(self, compute: Callable[..., Any], *key: Any) -> Any:
        """compute(self, *key), computed once per key for this day: the rules' date arithmetic, done per distinct
        day rather than per member."""
        found = self._memo.get((compute, *key), _MISSING)
        if found is _MISSING:
            found = self._memo[(compute, *key)] = compute(self, *key)
        return found

    def setting(self, key: str, default: int) -> int:
        """A numeric threshold from the ledger's settings, the SPEC default when unset."""
        value = self.led.setting(key)
        return int(value) if value not in (None, "") else default

    @cached_property
    def roster(self) -> Columns:
        """Every roster member on the day, away or home, with the chosen dated facts about them, by column, in
        the audit's order (name, then row id): each rule's findings come out sorted."""
        cursor = self._cursor(roster_sql(self.facts), {"due_m": str(last_due_month(self.day)),
                                        "due_q": str(last_due_month(self.day, True))}, row_factory=None)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()  # tuples: no sqlite3.Row made only to be taken apart
        rows.sort(key=itemgetter(names.index("name"), names.index("member_id")))
        roster = Columns(names, rows)
        updated = outflow_values(self.led, self.day)
        if updated:  # few outflows have dated updates: patch their rows in place
            at = {outflow: i for i, outflow in enumerate(roster.outflow_id) if outflow in updated}
            for outflow, i in at.items():
                values = updated[outflow]
                for key in ("province", "city", "fixed_place"):
                    if key in values:
                        roster[key][i] = values[key]
                if "phone" in values:
                    roster.phone[i] = values["phone"] or roster.member_phone[i]
        return roster

    @cached_property
    def away(self) -> Columns:
        """The roster members away on the day, unless cancelled (most rules look at these alone)."""
        roster = self.roster
        return roster.take([i for i, (outflow, category) in enumerate(zip(roster.outflow_id, roster.category))
                            if outflow and category != "cancelled"])

    @cached_property
    def last_due(self) -> dict[bool, int]:
        """quarterly → the Month.index of the last month due on the day."""
        return {quarterly: last_due_month(self.day, quarterly).index for quarterly in (False, True)}

    def last_late_start(self, months: int) -> str:
        """The latest ISO day a period of n months could start and have run out by the day (start ≤ it ⇔ late).

        add_months never moves back as the start moves on, so one string comparison a member finds the late
        ones, and only those need dates built."""
        if months not in self._late_starts:
            start = add_months(self.day, -months)
            while add_months(start, months) < self.day:
                start += timedelta(days=1)
            while add_months(start, months) >= self.day:
                start -= timedelta(days=1)
            self._late_starts[months] = start.isoformat()
        return self._late_starts[months]

    def _columns(self, sql: str, **params: Any) -> Columns:
        cursor = self._cursor(sql, params, row_factory=None)
        return Columns([column[0] for column in cursor.description], cursor.fetchall())

    @cached_property
    def uninspected_returns(self) -> Columns:
        return self._columns(_UNINSPECTED)

    @cached_property
    def inflows(self) -> Columns:
        return self._columns(_INFLOWS)

    @cached_property
    def group_cities(self) -> set[str]:
        """Cities with a 临时党小组 formed by the day."""
        return {row[0] for row in self._rows("SELECT city FROM groups WHERE formed_on <= :d")}


# newest first, stopping at the first live one: max() would read every payment of the member
_LAST_PAID = """SELECT j.value, (SELECT p.paid_on FROM dues p WHERE p.member_id = j.value AND p.paid_on <= :d
    AND p.void_reason IS NULL ORDER BY p.paid_on DESC LIMIT 1) FROM json_each(:ids) j"""


def last_paid_on(q: AsOf, member_ids: list[int]) -> dict[int, str]:
    """member id → the day of the member's last live dues payment by the day (members who paid none left out).

    Asked only for the members FP302 finds otherwise silent: the dues are the biggest table, and most members
    are heard from by a report, a contact or org life before their payments need reading."""
    rows = q._cursor(_LAST_PAID, {"ids": json.dumps(member_ids)}, row_factory=None)
    return {member_id: paid for member_id, paid in rows if paid}


def day_after(day: date) -> date:
    return day + timedelta(days=1)
