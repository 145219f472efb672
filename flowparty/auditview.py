"""How the audit, the rule catalogue and the todo list look to the clerk: rich tables in Chinese.

`show_audit(led, as_of)` prints the whole audit of a ledger (the demo ends with it).
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

from flowparty import labels as L
from flowparty import ui
from flowparty.db import Ledger
from flowparty.parse import mask_id
from flowparty.rules import REGISTRY, SEVERITIES, Finding, Rule, run_audit, statistics


DEFAULT_LIMIT = 20  # findings printed per rule unless --all
NAMES_SHOWN = 10  # FP402 names everyone away in a city (thousands in a big ledger): the table shows the first ten


def _message(f: Finding) -> str:
    """The finding's message for the table: a long list of names cut after the first NAMES_SHOWN (--json and
    --xlsx keep them all)."""
    return f.message_naming(NAMES_SHOWN, L.AUDIT_NAMES_MORE)


def _who(f: Finding) -> str:
    return f"{f.member_name}\n{mask_id(f.id_number)}" if f.member_id else L.AUDIT_LEDGER_ROW


def print_findings(findings: list[Finding], as_of: date, branch: str | None, rule_count: int,
                   limit: int | None = DEFAULT_LIMIT) -> None:
    """A summary by rule first, then at most `limit` findings of each rule (None: all), grouped by member (worst
    first), each with what is wrong, since when and what to do. A big ledger's audit stays readable and fast."""
    if not findings:
        ui.done(L.AUDIT_CLEAN.format(as_of=as_of, rules=rule_count))
        return
    if limit is not None and len(findings) > limit:
        print_statistics(findings, as_of)
    shown, left_out = _first_of_each_rule(findings, limit)
    rows, last = [], object()
    for f in sorted(shown, key=_by_member(shown)):
        rows.append((_who(f) if f.member_id != last else "", L.SEVERITY[f.severity],
                     f"{f.code}\n{L.RULE_TEXT[f.code]['title']}", _message(f), f.since.isoformat() if f.since else "",
                     f.hint))
        last = f.member_id
    ui.table(L.AUDIT_TITLE.format(branch=branch or "", as_of=as_of), L.AUDIT_HEADERS, rows)
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    ui.say(L.AUDIT_SUMMARY.format(as_of=as_of, total=len(findings),
                                  members=len({f.member_id for f in findings if f.member_id}), **counts))
    if left_out:
        ui.say(L.AUDIT_LIMITED.format(limit=limit, count=left_out))


def _by_member(findings: list[Finding]):
    """Sort key: the findings of a member together, members in the order of their first finding."""
    first: dict[object, int] = {}
    for i, f in enumerate(findings):
        first.setdefault(f.member_id, i)
    return lambda f: first[f.member_id]


def _first_of_each_rule(findings: list[Finding], limit: int | None) -> tuple[list[Finding], int]:
    """The findings to print: the first `limit` of each rule, in the audit's order; and how many were left out."""
    if limit is None:
        return findings, 0
    taken: dict[str, int] = {}
    shown = []
    for f in findings:
        if taken.get(f.code, 0) < limit:
            taken[f.code] = taken.get(f.code, 0) + 1
            shown.append(f)
    return shown, len(findings) - len(shown)


def print_by_branch(findings: list[Finding], branch_of: dict[int, str], as_of: date, rule_count: int) -> None:
    """A township's audit: each branch's findings under its own title, then one line per branch."""
    own = L.AUDIT_LEDGER_ROW
    groups: dict[str, list[Finding]] = {name: [] for name in dict.fromkeys(branch_of.values())}
    for f in findings:
        groups.setdefault(branch_of.get(f.member_id, own), []).append(f)
    for name, subset in groups.items():
        print_findings(subset, as_of, name, rule_count)
    rows = [(name, *(sum(f.severity == s for f in subset) for s in SEVERITIES),
             len({f.member_id for f in subset if f.member_id})) for name, subset in groups.items()]
    ui.table(L.AUDIT_BRANCH_TITLE.format(as_of=as_of), L.AUDIT_BRANCH_HEADERS, rows)


def print_statistics(findings: list[Finding], as_of: date) -> None:
    """Findings by rule, each with the worst severity its findings have (FP901 asks for a check as a 提示)."""
    worst: dict[str, int] = {}
    for f in findings:
        worst[f.code] = min(worst.get(f.code, len(SEVERITIES)), SEVERITIES.index(f.severity))
    rows = [(code, L.RULE_TEXT[code]["title"], L.SEVERITY[SEVERITIES[worst[code]]], n)
            for code, n in statistics(findings).items()]
    ui.table(L.AUDIT_STATS_TITLE.format(as_of=as_of), L.AUDIT_STATS_HEADERS, rows)


def show_audit(led: Ledger, as_of: date) -> list[Finding]:
    """Run every rule as of the day and print the result for people; returns the findings."""
    findings = run_audit(led, as_of)
    print_findings(findings, as_of, led.setting("branch"), len(REGISTRY))
    return findings


def threshold_text(rule: Rule, value: int | None) -> str:
    return L.RULE_TEXT[rule.code]["threshold"].format(value=value)


def print_rules(values: dict[str, int | None]) -> None:
    """The catalogue, with the thresholds in force (rules.thresholds)."""
    rows = []
    for rule in REGISTRY.values():
        text = L.RULE_TEXT[rule.code]
        rows.append((f"{rule.code} {text['title']}", L.SEVERITY[rule.severity], text["what"],
                     threshold_text(rule, values[rule.code]), text["source"]))
    ui.table(L.RULES_TITLE.format(count=len(REGISTRY)), L.RULES_HEADERS, rows, caption=L.SEEDS_NOTE)


def explain(rule: Rule, value: int | None) -> list[tuple[str, str]]:
    """The rule in full: what, why, threshold, the setting that holds it, its clause and the seed's words."""
    text = L.RULE_TEXT[rule.code]
    return list(zip(L.RULE_EXPLAIN_ITEMS, (
        rule.code, text["title"], L.SEVERITY[rule.severity], text["what"], text["why"],
        threshold_text(rule, value), rule.threshold or L.RULE_SETTING_NONE, text["source"], text["quote"])))


def print_explain(rule: Rule, value: int | None) -> None:
    ui.pairs(f"{rule.code} {L.RULE_TEXT[rule.code]['title']}", explain(rule, value))


def print_todo(items: Iterable[Finding], start: date, end: date, days: int) -> None:
    items = list(items)
    if not items:
        ui.done(L.TODO_EMPTY.format(days=days))
        return
    rows = [(f.since.isoformat(), _who(f).replace("\n", " "), f"{f.code} {L.RULE_TEXT[f.code]['title']}",
             f.message, f.hint) for f in items]
    ui.table(L.TODO_TITLE.format(days=days, start=start, end=end), L.TODO_HEADERS, rows)
