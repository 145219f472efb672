"""党费标准 (SPEC §2 item 13, 中组部 2008 《关于党费收缴、使用和管理的规定》): what a member should pay a month.

A standard is set per member and year: a fixed monthly amount, or a base (monthly income after tax, or
pension) and the 2008 rate of its band, applied to the whole base. All arithmetic is in integer fen.
A standard stays in force until the next year's is set, so "set once a year" is the default, not a duty.
"""

from __future__ import annotations

from datetime import date

from flowparty import labels as L
from flowparty.db import Ledger
from flowparty.errors import BadInput
from flowparty.parse import Month, format_fen
from flowparty.records import Member, _not_future, _refuse_inactive

# (upper bound of the band in fen, inclusive; rate in per mille), the last band has no upper bound
SALARY_BANDS = ((300_000, 5), (500_000, 10), (1_000_000, 15), (None, 20))
PENSION_BANDS = ((500_000, 5), (None, 10))
FARMER_MIN_FEN, FARMER_MAX_FEN = 20, 100
LOW_FEN = 20  # students, the unemployed and members on relief: 0.2 元
BASE_KINDS = {"salary": SALARY_BANDS, "pension": PENSION_BANDS}
LOW_KINDS = ("student", "unemployed", "relief")


def rate_per_mille(kind: str, base_fen: int) -> int:
    """The 2008 rate of the band the base falls in (the whole base pays that rate, not progressively)."""
    for ceiling, rate in BASE_KINDS[kind]:
        if ceiling is None or base_fen <= ceiling:
            return rate
    raise AssertionError("the last band has no ceiling")


def monthly_standard(kind: str, base_fen: int | None = None, monthly_fen: int | None = None) -> int:
    """The monthly dues in fen for a kind of member; base for salary/pension, the amount for fixed/farmer."""
    if kind in BASE_KINDS:
        if not base_fen or base_fen <= 0:
            raise BadInput(L.DUES_BASE_NEEDED)
        return max(1, (base_fen * rate_per_mille(kind, base_fen) + 500) // 1000)
    if kind in LOW_KINDS:
        return LOW_FEN
    if kind == "farmer":
        fen = FARMER_MIN_FEN if monthly_fen is None else monthly_fen
        if not FARMER_MIN_FEN <= fen <= FARMER_MAX_FEN:
            raise BadInput(L.DUES_FARMER_RANGE.format(value=format_fen(fen)))
        return fen
    if kind == "fixed":
        if not monthly_fen or monthly_fen <= 0:
            raise BadInput(L.DUES_MONTHLY_NEEDED)
        return monthly_fen
    raise BadInput(L.BAD_CHOICE.format(field=L.FIELD_DUES_KIND, value=kind, allowed="、".join(L.DUES_KINDS)))


def set_standard(led: Ledger, member: Member, *, year: int, kind: str, set_on: date, base_fen: int | None = None,
                 monthly_fen: int | None = None) -> int:
    """Set (or reset) a member's standard for one year; a reset keeps the old one in history. Returns fen."""
    _refuse_inactive(member)
    _not_future(set_on, L.FIELD_DATE)
    if not 1990 <= year <= set_on.year + 1:
        raise BadInput(L.DUES_BAD_YEAR.format(value=year))
    fen = monthly_standard(kind, base_fen, monthly_fen)
    values = {"kind": kind, "base_fen": base_fen if kind in BASE_KINDS else None, "monthly_fen": fen,
              "set_on": set_on}
    old = led.one("SELECT id FROM dues_standards WHERE member_id = ? AND year = ?", [member["id"], year])
    if old:
        led.update("dues_standards", old["id"], values)
    else:
        led.insert("dues_standards", {"member_id": member["id"], "year": year, **values})
    return fen


def standard_for(led: Ledger, member_id: int, month: Month, as_of: date) -> int | None:
    """The monthly standard in force for a month: the latest set for that year or an earlier one, as of a date."""
    return led.scalar(
        "SELECT monthly_fen FROM dues_standards WHERE member_id = ? AND year <= ? AND set_on <= ?"
        " ORDER BY year DESC LIMIT 1", [member_id, month.year, as_of])


_UNDERPAID_SQL = """
SELECT member_id, period, amount_fen, paid_on, standard_fen FROM (
    SELECT d.member_id, d.period, d.amount_fen, d.paid_on,
           (SELECT s.monthly_fen FROM dues_standards s
            WHERE s.member_id = d.member_id AND s.year <= CAST(substr(d.period, 1, 4) AS INTEGER) AND s.set_on <= ?
            ORDER BY s.year DESC LIMIT 1) AS standard_fen
    FROM dues d
    WHERE d.member_id IN (SELECT member_id FROM dues_standards WHERE set_on <= ?)
      AND d.paid_on <= ? AND d.period <= ? AND d.void_reason IS NULL
)
WHERE amount_fen < standard_fen
ORDER BY member_id, period
"""


def underpaid_months(led: Ledger, as_of: date) -> dict[int, list[dict]]:
    """FP203: per member, the months paid (as of a date) below the standard in force for them.

    Only members with a standard are looked at, through the (member, period) index, so a ledger that sets
    no standards pays nothing for this rule.
    """
    found: dict[int, list[dict]] = {}
    for row in led.all(_UNDERPAID_SQL, [as_of, as_of, as_of, str(Month.of(as_of))]):
        found.setdefault(row["member_id"], []).append(
            {"period": row["period"], "paid_on": row["paid_on"], "paid_fen": row["amount_fen"],
             "standard_fen": row["standard_fen"]})
    return found


# ---------------------------------------------------------------- a plausible payment (SPEC §8)

PLAUSIBLE_SETTING = "dues_plausible_fen"  # the ledger setting that holds the limit, in fen a month
DEFAULT_PLAUSIBLE_FEN = 200_000  # 2,000 元 a month: above the dues of almost any income


def check_plausible(amount_fen: int, months: int, limit_fen: int = DEFAULT_PLAUSIBLE_FEN) -> None:
    """Refuse a payment whose amount a month is above the limit (a slip: 3600 for 36.00); --force passes it."""
    months = max(months, 1)
    per_month = -(-amount_fen // months)  # rounded up: the first months carry the odd fen
    if per_month > limit_fen:
        raise BadInput(L.DUES_IMPLAUSIBLE.format(amount=format_fen(amount_fen), months=months,
                                                 per_month=format_fen(per_month), limit=format_fen(limit_fen)),
                       L.DUES_IMPLAUSIBLE_HINT)


def plausible_limit(led: Ledger) -> int:
    """The ledger's plausible monthly amount in fen (settings: dues_plausible_fen)."""
    value = led.setting(PLAUSIBLE_SETTING)
    return int(value) if value not in (None, "") else DEFAULT_PLAUSIBLE_FEN
