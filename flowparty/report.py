"""The annual statistics (SPEC §5), shaped like the 党内统计 流动党员情况 tables, as one dict with stable keys.

The report sees the ledger as of 31 December of the year (or today for the current year): records dated after
that are ignored. Every number is a count of rows a clerk can find in the ledger, so it can be checked by hand:
- away at year end: outflows left on or before that day and not ended by it;
- 跨省 / 省内跨市: the destination's province / city against the branch's home_province / home_city;
- by unit type: as the 党统 table has it, 其他 includes 不掌握流向 (no province or city known), given "of which";
  an outflow with no unit type recorded counts as 其他 and is also counted in unit_type_unrecorded;
- dues months due: the months of the year while away (from the latest of leaving, joining and the ledger's
  since month, to the month before the return, and to the month before today in the current year), quarterly
  payers' months only once their quarter has ended; paid: those months with a payment made by year end.
On a township ledger the same numbers are given for the whole and, when asked, for each branch.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date

from flowparty import asof
from flowparty import labels as L
from flowparty.db import VOIDABLE, Ledger, as_date
from flowparty.errors import BadInput
from flowparty.parse import Month, format_fen, month_range
from flowparty.records import today

OWN_BRANCH = 0  # members of the ledger's own branch have no branch_id


def year_end(year: int) -> date:
    """The day the report sees the ledger as of: 31 December, or today while the year is running."""
    now = today()
    if year > now.year or year < 1990:
        raise BadInput(L.REPORT_BAD_YEAR.format(value=year))
    return min(date(year, 12, 31), now)


def last_due_month(year: int, as_of: date, quarterly: bool) -> Month:
    """December for a finished year; while the year runs, the last month due as the audit counts it."""
    return Month(year, 12) if as_of == date(year, 12, 31) and today() > as_of else asof.last_due_month(as_of, quarterly)


def branches(led: Ledger) -> list[dict]:
    """The branches of the ledger: its own (when it has members of its own) and every merged one."""
    settings = led.settings()
    own = {"id": OWN_BRANCH, "name": settings.get("branch"), "home_province": settings.get("home_province", ""),
           "home_city": settings.get("home_city", ""), "since": settings.get("since")}
    merged = [dict(row) for row in led.all(
        "SELECT id, name, home_province, home_city, since FROM branches ORDER BY id")]
    has_own = led.scalar("SELECT count(*) FROM members WHERE branch_id IS NULL") or not merged
    return ([own] if has_own else []) + merged


def member_branch_names(led: Ledger) -> dict[int, str]:
    """Each member's branch name, for breaking the audit of a township ledger down by branch."""
    names = {b["id"]: b["name"] for b in branches(led)}
    own = led.setting("branch")
    return {row[0]: names.get(row[1] or OWN_BRANCH, own)
            for row in led.all("SELECT id, branch_id FROM members")}


@dataclass
class Scope:
    """The branches a set of figures covers, and which branch each row belongs to.

    A row merged from a branch's file belongs to that branch (so a member who moved from A to B counts as
    A's transfer out and B's member); any other row belongs to its member's branch.
    """

    branches: dict[int, dict]
    members: dict[int, sqlite3.Row]
    origin: dict[tuple[str, int], int]

    def branch_of(self, table: str, row) -> dict | None:
        branch_id = self.origin.get((table, row["id"]))
        if branch_id is None:
            branch_id = self.members[row["member_id"]]["branch_id"] or OWN_BRANCH
        return self.branches.get(branch_id)

    def holds_member(self, member_id: int | None) -> bool:
        return member_id is not None and (self.members[member_id]["branch_id"] or OWN_BRANCH) in self.branches


def annual(led: Ledger, year: int, by_branch: bool = False) -> dict:
    """The whole report for a year; with by_branch, the same figures for each branch under 'branches'."""
    as_of = year_end(year)
    findings = findings_by_member(led, as_of)
    all_branches = branches(led)
    members = {row["id"]: row for row in led.all("SELECT * FROM members")}
    origin = {(row[0], row[1]): row[2] for row in led.all("SELECT table_name, row_id, branch_id FROM merged_rows")}

    def figures(scope: list[dict], whole: bool) -> dict:
        return _figures(led, year, as_of, Scope({b["id"]: b for b in scope}, members, origin), findings, whole)

    report = {"year": year, "as_of": as_of.isoformat(), "branch": led.setting("branch"),
              **figures(all_branches, whole=True)}
    if by_branch:
        report["branches"] = [{"branch": b["name"], **figures([b], whole=False)} for b in all_branches]
    return report


def _figures(led: Ledger, year: int, as_of: date, scope: Scope, findings: list[tuple[str, int | None]],
             whole: bool) -> dict:
    """The figures for the rows in scope; findings about no member count for the whole ledger only."""
    first, end = date(year, 1, 1), as_of

    def rows(table: str, where: str, params: list = (first, end)) -> list:
        """The live rows of a table in scope (by default: dated within the year); voided rows never count."""
        live = " AND void_reason IS NULL" if table in VOIDABLE else ""
        return [row for row in led.all(f"SELECT * FROM {table} WHERE ({where}){live}", params)
                if scope.branch_of(table, row)]

    def count(table: str, where: str) -> int:
        return len(rows(table, where))

    updated = asof.outflow_values(led, end)
    away = [{**dict(row), **updated.get(row["id"], {})}
            for row in rows("outflows", "left_on <= ? AND (ended_on IS NULL OR ended_on > ?)", [end, end])]
    reach = Counter(_reach(row, scope.branch_of("outflows", row)) for row in away)
    unit_types = Counter(_unit_type(row) for row in away)
    unit_types[L.UNIT_OTHER] += unit_types[None] + unit_types[L.UNIT_UNKNOWN]  # 其他, of which 不掌握流向
    occupations = Counter(_occupation(scope.members[row["member_id"]]["occupation"]) for row in away)
    occupations[L.OCCUPATION_OTHER] += occupations[None]
    holders = {row["member_id"] for row in led.all(
        "SELECT member_id FROM cards WHERE issued_on <= ? AND (voided_on IS NULL OR voided_on > ?)", [end, end])}
    checked = {row["outflow_id"] for row in led.all(
        "SELECT outflow_id FROM checkins WHERE checked_in_on <= ? AND outflow_id IS NOT NULL AND void_reason IS NULL",
        [end])}
    checked_in = sum(1 for row in away if row["id"] in checked)
    reviews = [row for row in led.all(
        "SELECT r.id, c.member_id FROM card_reviews r JOIN cards c ON c.id = r.card_id"
        " WHERE r.reviewed_on BETWEEN ? AND ? AND r.void_reason IS NULL", [first, end])
        if scope.branch_of("card_reviews", row)]
    conversions = Counter(row["outcome"] for row in rows("conversions", "decided_on BETWEEN ? AND ?"))
    found = Counter(code for code, member_id in findings
                    if scope.holds_member(member_id) or whole and member_id is None)
    lost = {member_id for code, member_id in findings if code == LOST_CONTACT_CODE and scope.holds_member(member_id)}
    return {
        "outflow_total": len(away),
        "cross_province": reach["province"],
        "cross_city": reach["city"],
        "within_city": reach["local"],
        "destination_unknown": reach["unknown"],
        "card_holders": sum(1 for row in away if row["member_id"] in holders),
        "by_unit_type": {label: unit_types.get(label, 0) for label in L.UNIT_TYPES},
        "unit_type_unrecorded": unit_types.get(None, 0),
        "by_occupation": {label: occupations.get(label, 0) for label in L.OCCUPATIONS},
        "occupation_unrecorded": occupations.get(None, 0),
        "inflow_total": len(rows("inflows", "arrived_on <= ? AND (ended_on IS NULL OR ended_on > ?)", [end, end])),
        "new_outflows": count("outflows", "left_on BETWEEN ? AND ?"),
        "returns": count("outflows", "end_kind = 'returned' AND ended_on BETWEEN ? AND ?"),
        "transfers_out": count("transfers", "transferred_on BETWEEN ? AND ?"),
        "cards_issued": count("cards", "issued_on BETWEEN ? AND ?"),
        "cards_reviewed": len(reviews),
        "cards_inspected": count("outflows", "inspected_on BETWEEN ? AND ?"),
        "checked_in": checked_in,
        "checkin_rate": round(checked_in / len(away), 4) if away else None,
        **_dues(led, year, as_of, scope, rows("outflows", "left_on <= ? AND (ended_on IS NULL OR ended_on >= ?)",
                                              [end, first])),
        "reports": count("reports", "reported_on BETWEEN ? AND ?"),
        "org_life": count("org_life", "held_on BETWEEN ? AND ?"),
        "org_life_members": len({row["member_id"] for row in rows("org_life", "held_on BETWEEN ? AND ?")}),
        "lost_contact": len(lost),
        "conversions": {outcome: conversions.get(outcome, 0) for outcome in L.OUTCOMES},
        "findings": dict(sorted(found.items())),
    }


def _reach(outflow, branch: dict) -> str:
    """跨省 / 省内跨市 / 市内 / 不掌握流向, against the member's own branch's home province and city."""
    province, city = outflow["province"], outflow["city"]
    if not province and not city:
        return "unknown"
    if province and province != branch["home_province"]:
        return "province"
    if city and city != branch["home_city"]:
        return "city"
    return "local"


def _unit_type(outflow) -> str | None:
    """The recorded unit type; 不掌握流向 when the destination is unknown; None (counted as 其他) when not recorded."""
    if outflow["unit_type"]:
        return outflow["unit_type"] if outflow["unit_type"] in L.UNIT_TYPES else L.UNIT_OTHER
    if not outflow["province"] and not outflow["city"]:
        return L.UNIT_UNKNOWN
    return None


def _occupation(text: str | None) -> str | None:
    """The former occupation as one of the statistics' categories; other free text is 其他职业, none is None."""
    if not text:
        return None
    return text if text in L.OCCUPATIONS else L.OCCUPATION_OTHER


def _dues(led: Ledger, year: int, as_of: date, scope: Scope, outflows: list) -> dict:
    """Months due while away in the year, those paid by year end, the money paid and the money the standard expects."""
    paid = {(row["member_id"], row["period"]): row["amount_fen"] for row in led.all(
        "SELECT member_id, period, amount_fen FROM dues WHERE paid_on <= ? AND period LIKE ? AND void_reason IS NULL",
        [as_of, f"{year}-%"])}
    standards = _standards(led, year, as_of)
    due_months = {
        (outflow["member_id"], str(month))
        for outflow in outflows
        for month in _due_months(outflow, scope.members[outflow["member_id"]], scope.branch_of("outflows", outflow),
                                 year, as_of)
    }
    paid_count = paid_fen = expected_fen = below = 0
    for key in due_months:
        standard = standards.get(key[0])
        expected_fen += standard or 0
        amount = paid.get(key)
        if amount is not None:
            paid_count += 1
            paid_fen += amount
            below += standard is not None and amount < standard
    due = len(due_months)
    return {"dues_months_due": due, "dues_months_paid": paid_count, "dues_amount": format_fen(paid_fen),
            "dues_amount_fen": paid_fen, "dues_expected": format_fen(expected_fen), "dues_expected_fen": expected_fen,
            "dues_months_below_standard": below}


def _due_months(outflow, member, branch: dict, year: int, as_of: date) -> list[Month]:
    """The months of the year this outflow owes dues for (see the module's docstring)."""
    starts = [Month(year, 1), Month.of(as_date(outflow["left_on"]))]
    if member["joined_on"]:
        starts.append(Month.of(as_date(member["joined_on"])))
    if branch.get("since"):
        since_year, since_month = branch["since"].split("-")
        starts.append(Month(int(since_year), int(since_month)))
    end = last_due_month(year, as_of, bool(member["quarterly"]))
    if outflow["ended_on"]:
        end = min(end, Month.of(as_date(outflow["ended_on"])).plus(-1))
    return month_range(max(starts), end)


def _standards(led: Ledger, year: int, as_of: date) -> dict[int, int]:
    """Each member's monthly standard in force for the year (the latest set for it or an earlier year)."""
    rows = led.all("SELECT member_id, monthly_fen FROM dues_standards WHERE year <= ? AND set_on <= ?"
                   " ORDER BY year", [year, as_of])
    return {row["member_id"]: row["monthly_fen"] for row in rows}


# ---------------------------------------------------------------- the audit's findings

LOST_CONTACT_CODE = "FP302"


def findings_by_member(led: Ledger, as_of: date) -> list[tuple[str, int | None]]:
    """(code, member row id) of every finding of the audit as of the date (the audit's own run_audit)."""
    from flowparty.rules import run_audit

    return [(f.code, f.member_id) for f in run_audit(led, as_of)]


# ---------------------------------------------------------------- the tables a township files


def sections(report: dict) -> list[tuple[str, list[tuple[str, object]]]]:
    """The report as titled tables of (label, value) rows: what the terminal shows and the workbook holds."""
    rows = L.REPORT_ROWS

    def pick(*keys: str) -> list[tuple[str, object]]:
        return [(rows[k], _shown(k, report[k])) for k in keys]

    conversions = report["conversions"]
    return [
        ("outflow", pick("outflow_total", "cross_province", "cross_city", "within_city", "destination_unknown",
                         "card_holders", "inflow_total")),
        ("unit_type", [*((L.REPORT_OF_WHICH.format(label=k) if k == L.UNIT_UNKNOWN else k, v)
                         for k, v in report["by_unit_type"].items()), *pick("unit_type_unrecorded")]),
        ("occupation", [*report["by_occupation"].items(), *pick("occupation_unrecorded")]),
        ("work", [*pick("new_outflows", "returns", "transfers_out", "cards_issued", "cards_reviewed",
                        "cards_inspected", "checked_in", "checkin_rate", "reports", "org_life", "org_life_members",
                        "lost_contact"),
                  *((rows[outcome], conversions[outcome]) for outcome in L.OUTCOMES)]),
        ("dues", pick("dues_months_due", "dues_months_paid", "dues_expected", "dues_amount",
                      "dues_months_below_standard")),
        ("findings", [(f"{code} {L.RULE_TEXT[code]['title']}", n) for code, n in report["findings"].items()]
         or [(L.REPORT_NO_FINDINGS, 0)]),
    ]


def branch_rows(report: dict) -> list[tuple]:
    """One row per branch of a township ledger (report made with by_branch)."""
    return [
        (b["branch"], b["outflow_total"], b["cross_province"], b["cross_city"], b["card_holders"], b["inflow_total"],
         _shown("checkin_rate", b["checkin_rate"]), b["dues_months_due"], b["dues_months_paid"], b["dues_amount"],
         b["lost_contact"], sum(b["findings"].values()))
        for b in report.get("branches", [])
    ]


def _shown(key: str, value: object) -> object:
    """A rate as a percentage; everything else as it is."""
    if key == "checkin_rate":
        return "—" if value is None else f"{value * 100:.1f}%"
    return value


def write_workbook(report: dict, path) -> None:
    """The report as a workbook, one sheet per table; text cells are never formulas; private and atomic. Numbers
    stay numbers: the check-in rate as a percentage (0.882 shown 88.2%), amounts in yuan with two decimals."""
    from flowparty.files import atomic_binary

    with atomic_binary(path) as out:
        _fill_workbook(report, out)


def _fill_workbook(report: dict, path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    formats = {"rate": book.add_format({"num_format": "0.0%"}), "yuan": book.add_format({"num_format": "0.00"})}
    title = L.REPORT_TITLE.format(branch=report["branch"], year=report["year"], as_of=report["as_of"])
    tables = [(key, L.REPORT_HEADERS, _typed_rows(report, rows)) for key, rows in sections(report)]
    if "branches" in report:
        tables.append(("branches", L.REPORT_BRANCH_HEADERS, _typed_branch_rows(report)))
    for key, headers, rows in tables:
        sheet = book.add_worksheet(L.REPORT_SHEETS[key])
        sheet.write_string(0, 0, f"{title} {L.REPORT_SECTIONS[key]}", bold)
        for col, header in enumerate(headers):
            sheet.write_string(1, col, header, bold)
        for r, row in enumerate(rows, start=2):
            for col, cell in enumerate(row):
                _write_cell(sheet, r, col, cell, formats)
        sheet.freeze_panes(2, 0)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, len(headers) - 1, 14)
    book.close()


class _Rate(float):
    """A rate the workbook shows as a percentage."""


class _Yuan(float):
    """An amount the workbook shows in yuan with two decimals."""


def _rate(value: float | None) -> object:
    return "—" if value is None else _Rate(value)


def _yuan(fen: int | None, shown: object) -> object:
    if fen is None:
        try:
            fen = round(float(str(shown)) * 100)
        except ValueError:
            return shown
    return _Yuan(fen / 100)


def _typed_rows(report: dict, rows: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """sections' rows, with the rate and the amounts as the numbers they are rather than their shown text."""
    label_of = L.REPORT_ROWS
    typed = {label_of["checkin_rate"]: _rate(report.get("checkin_rate"))}
    for key in ("dues_amount", "dues_expected"):
        if key in report:
            typed[label_of[key]] = _yuan(report.get(f"{key}_fen"), report[key])
    return [(label, typed.get(label, value)) for label, value in rows]


def _typed_branch_rows(report: dict) -> list[tuple]:
    return [
        (b["branch"], b["outflow_total"], b["cross_province"], b["cross_city"], b["card_holders"], b["inflow_total"],
         _rate(b["checkin_rate"]), b["dues_months_due"], b["dues_months_paid"],
         _yuan(b.get("dues_amount_fen"), b["dues_amount"]), b["lost_contact"], sum(b["findings"].values()))
        for b in report.get("branches", [])
    ]


def _write_cell(sheet, row: int, col: int, value: object, formats: dict | None = None) -> None:
    formats = formats or {}
    if isinstance(value, _Rate):
        sheet.write_number(row, col, float(value), formats.get("rate"))
    elif isinstance(value, _Yuan):
        sheet.write_number(row, col, float(value), formats.get("yuan"))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, "" if value is None else str(value))
