"""审计与统计：审计、规则目录、待办、年度统计。"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer

from flowparty import labels as L
from flowparty import parse
from flowparty.cli import (DateOpt, JsonOpt, MemberArg, NoteOpt, PhoneOpt, State, app, choice, command, db_path,
                           done, ledger, maybe_date, on, subcommands, writing)
from flowparty.errors import FlowpartyError, LedgerError


# ---------------------------------------------------------------- year-end: dues standard, annual report, merge

report_app = subcommands("统计上报：年度流动党员情况统计。")
app.add_typer(report_app, name="report")


@command(report_app, "annual")
def report_annual(
    year: Annotated[int, typer.Option("--year", help="统计年度，如 2026；统计截至当年 12 月 31 日（今年则截至今天）。")],
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="同时写出年报工作簿（每张表一个工作表）。")] = None,
    by_branch: Annotated[bool, typer.Option("--by-branch", help="汇总台账按支部分列。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """年度流动党员情况统计（党内统计报表格式）。"""
    from flowparty import report, ui

    with ledger(readonly=True) as led:
        data = report.annual(led, year, by_branch=by_branch)
    if xlsx:
        report.write_workbook(data, xlsx)
    if as_json:
        ui.print_json(data)
        return
    ui.say(L.REPORT_TITLE.format(branch=data["branch"], year=data["year"], as_of=data["as_of"]))
    for key, rows in report.sections(data):
        ui.table(L.REPORT_SECTIONS[key], L.REPORT_FINDINGS_HEADERS if key == "findings" else L.REPORT_HEADERS, rows)
    if by_branch:
        ui.table(L.REPORT_SECTIONS["branches"], L.REPORT_BRANCH_HEADERS, report.branch_rows(data))
    for key, what, bucket in (("unit_type_unrecorded", L.FIELD_UNIT_TYPE, L.UNIT_OTHER),
                              ("occupation_unrecorded", L.FIELD_OCCUPATION, L.OCCUPATION_OTHER)):
        if data[key]:
            ui.warn(L.REPORT_UNRECORDED.format(count=data[key], what=what, bucket=bucket))
    if xlsx:
        done(L.REPORT_DONE_XLSX.format(path=xlsx))


# ---------------------------------------------------------------- audit, rules, todo

rules_app = subcommands("审计规则目录；rules explain 代码 查看一条规则的依据。", invoke_without_command=True)
app.add_typer(rules_app, name="rules")
CodesOpt = Annotated[Optional[list[str]], typer.Option(help="规则代码、前缀或名称，可用逗号分隔或重复填写。")]


@command(app, "audit")
def audit(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="审计日期；默认今天。之后日期的记录不计入。")] = None,
    select: CodesOpt = None,
    ignore: CodesOpt = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="问题达到此级别时退出码为 1：错误、警告、提示、从不。")] = "错误",
    statistics: Annotated[bool, typer.Option("--statistics", help="只列出各规则的问题数。")] = False,
    as_json: JsonOpt = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="另把问题清单写成 Excel 工作簿。")] = None,
    mask_ids: Annotated[bool, typer.Option("--mask-ids", help="工作簿（--xlsx）中隐去身份证号和电话号码的中间几位。")] = False,
    by_branch: Annotated[bool, typer.Option("--by-branch", help="乡镇汇总台账按支部分开列出。")] = False,
    limit: Annotated[int, typer.Option("--limit", help="每条规则最多列出多少个问题（先列出各规则的问题数）。")] = 20,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部问题。")] = False,
) -> None:
    """按流动党员管理规定逐条审计台账（截至某日）。"""
    from flowparty import auditview, report, rules, ui

    fail_on = choice(fail_on, L.FAIL_ON_CHOICES, L.FIELD_FAIL_ON)
    day = on(as_of, L.FIELD_AS_OF)
    chosen = rules.select_rules(select or (), ignore or ())
    with ledger(readonly=True) as led:
        findings = rules.run_audit(led, day, select or (), ignore or ())
        branch = led.setting("branch")
        branch_of = report.member_branch_names(led) if by_branch else {}
    if xlsx is not None:
        from flowparty import export

        export.write_xlsx(xlsx, [export.findings_sheet(findings, mask_ids)])
    if as_json and statistics:
        ui.print_json(rules.statistics(findings))
    elif as_json:
        ui.print_json_list(rules.findings_json(
            findings, (lambda f: {"branch": branch_of.get(f.member_id, branch)}) if by_branch else None))
    elif statistics:
        auditview.print_statistics(findings, day)
    elif by_branch:
        auditview.print_by_branch(findings, branch_of, day, len(chosen))
    else:
        auditview.print_findings(findings, day, branch, len(chosen), None if show_all else max(1, limit))
    if rules.fails(findings, fail_on):
        raise typer.Exit(1)


@rules_app.callback()
def rules_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """列出全部审计规则：代码、名称、级别、检查内容、阈值与依据。"""
    if ctx.invoked_subcommand:
        return
    from flowparty import auditview, rules, ui

    values = _rule_thresholds()
    if as_json:
        ui.print_json([{"code": r.code, "name": r.name, "title": L.RULE_TEXT[r.code]["title"], "severity": r.severity,
                        "threshold": values[r.code], "setting": r.threshold, "source": L.RULE_TEXT[r.code]["source"]}
                       for r in rules.REGISTRY.values()])
        return
    auditview.print_rules(values)


def _rule_thresholds() -> dict:
    """The thresholds of the ledger in use, or the SPEC defaults when there is no ledger yet."""
    from flowparty import rules

    if not db_path().exists():
        return rules.thresholds(None)
    try:
        with ledger(readonly=True) as led:
            return rules.thresholds(led)
    except (FlowpartyError, sqlite3.DatabaseError):  # a damaged ledger still lets the catalogue be read
        return rules.thresholds(None)


@command(rules_app, "explain")
def rules_explain(code: Annotated[str, typer.Argument(help="规则代码，如 FP202（也可写规则的英文名）。")]) -> None:
    """一条规则的全文：检查什么、为什么、阈值、依据条款及原文。"""
    from flowparty import auditview, rules

    rule = rules.find_rule(code)
    auditview.print_explain(rule, _rule_thresholds()[rule.code])


@command(app, "todo")
def todo(
    days: Annotated[int, typer.Option("--days", help="往后看多少天（1–366）。")] = 30,
    as_json: JsonOpt = False,
) -> None:
    """待办事项：今后几天内将要到期的年审、报到、汇报、党费、转正与联系，按日期排列。"""
    from datetime import timedelta

    from flowparty import auditview, records, rules, ui
    from flowparty.errors import BadInput

    if not 1 <= days <= 366:
        raise BadInput(L.BAD_DAYS.format(value=days))
    start = records.today()
    with ledger(readonly=True) as led:
        items = rules.todo(led, start, days)
    if as_json:
        ui.print_json_list(rules.findings_json(items))
        return
    auditview.print_todo(items, start, start + timedelta(days=days), days)
