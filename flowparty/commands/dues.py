"""党费：登记交纳、党费标准。"""

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


@command(app, "record-dues")
def record_dues(
    member: MemberArg,
    period: Annotated[str, typer.Option("--period", help="所属期：2026-01，2026-01..2026-06，或 2026-Q1。")],
    amount: Annotated[str, typer.Option("--amount", help="实交总额（元），平均分摊到各月。")],
    when: DateOpt = None,
    to: Annotated[str, typer.Option("--to", help="交至本支部或流入地党组织。")] = "本支部",
    receipt: Annotated[Optional[str], typer.Option("--receipt", help="收据号。")] = None,
    force: Annotated[bool, typer.Option("--force", help="金额超过每月合理上限（默认 2000 元）时确认照登。")] = False,
) -> None:
    """登记党费（按月，或按季）。"""
    from flowparty import dues, records, ui

    months = parse.parse_periods(period)
    fen = parse.parse_amount(amount)
    with writing("record-dues") as led:
        if not force:
            dues.check_plausible(fen, len(months), dues.plausible_limit(led))
        m = records.find_member(led, member)
        records.record_dues(led, m, periods=months, amount_fen=fen, paid_on=on(when, L.FIELD_PAID_ON),
                            paid_to=choice(to, L.PAID_TO, L.FIELD_PAID_TO), receipt=receipt)
    done(L.DUES_DONE.format(name=m["name"], first=months[0], last=months[-1], months=len(months),
                            amount=parse.format_fen(fen)))
    if len(months) > 6:
        ui.warn(L.DUES_LONG_BACKPAY.format(months=len(months)))


@command(app, "dues-standard")
def dues_standard(
    member: MemberArg,
    year: Annotated[Optional[int], typer.Option("--year", help="年度；默认今年。标准一年一定，直到下一年重新设定。")] = None,
    monthly: Annotated[Optional[str], typer.Option("--monthly", help="每月固定党费（元）；农民党员 0.20–1.00 元。")] = None,
    salary: Annotated[Optional[str], typer.Option("--salary", help="税后月工资收入（元），按 2008 年规定比例计算。")] = None,
    pension: Annotated[Optional[str], typer.Option("--pension", help="税后月离退休费（元），按 2008 年规定比例计算。")] = None,
    farmer: Annotated[bool, typer.Option("--farmer", help="农民党员（默认每月 0.20 元，可用 --monthly 定为 0.20–1.00 元）。")] = False,
    student: Annotated[bool, typer.Option("--student", help="学生党员，每月 0.20 元。")] = False,
    unemployed: Annotated[bool, typer.Option("--unemployed", help="下岗失业党员，每月 0.20 元。")] = False,
    relief: Annotated[bool, typer.Option("--relief", help="领取最低生活保障的党员，每月 0.20 元。")] = False,
    when: DateOpt = None,
) -> None:
    """设定党员的党费标准（中组部 2008 年党费规定）。"""
    from flowparty import dues, records
    from flowparty.errors import BadInput

    kinds = [k for k, given in (("salary", salary), ("pension", pension), ("farmer", farmer), ("student", student),
                                ("unemployed", unemployed), ("relief", relief)) if given]
    if len(kinds) > 1 or not kinds and monthly is None or monthly is not None and kinds and kinds != ["farmer"]:
        raise BadInput(L.DUES_ONE_KIND)
    kind = kinds[0] if kinds else "fixed"
    base = parse.parse_amount(salary or pension, L.FIELD_SALARY if salary else L.FIELD_PENSION) if salary or pension else None
    fen_given = parse.parse_amount(monthly, L.FIELD_MONTHLY) if monthly is not None else None
    day = on(when)
    with writing("dues-standard") as led:
        m = records.find_member(led, member)
        fen = dues.set_standard(led, m, year=year or day.year, kind=kind, set_on=day, base_fen=base,
                                monthly_fen=fen_given)
    rate = L.DUES_STANDARD_BASE.format(base=parse.format_fen(base), rate=f"{dues.rate_per_mille(kind, base) / 10}%") if base else ""
    done(L.DUES_STANDARD_DONE.format(name=m["name"], year=year or day.year, kind=L.DUES_KINDS[kind],
                                     amount=parse.format_fen(fen)) + rate)
