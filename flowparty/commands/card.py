"""活动证：发放、年审、返回查验。"""

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


@command(app, "issue-card")
def issue_card(
    member: MemberArg,
    card_no: Annotated[Optional[str], typer.Option("--no", help="活动证编号；不填则按支部代码和年份生成。")] = None,
    when: DateOpt = None,
    reissue: Annotated[bool, typer.Option("--reissue", help="补发（遗失、损坏）：原证作废。")] = False,
) -> None:
    """发放《流动党员活动证》；已持证的，补发需加 --reissue，原证作废。"""
    from flowparty import records

    with writing("issue-card") as led:
        m = records.find_member(led, member)
        number, voided = records.issue_card(led, m, issued_on=on(when), card_no=card_no, reissue=reissue)
    done(L.CARD_DONE.format(name=m["name"], card_no=number) + (L.CARD_REISSUED.format(old=voided) if voided else ""))


@command(app, "review-card")
def review_card(
    member: MemberArg,
    when: DateOpt = None,
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", help="审核人。")] = None,
    result: Annotated[str, typer.Option("--result", help="合格/不合格。")] = "合格",
    note: NoteOpt = None,
) -> None:
    """活动证年审（每年一次）。"""
    from flowparty import records

    with writing("review-card") as led:
        m = records.find_member(led, member)
        records.review_card(led, m, reviewed_on=on(when), reviewer=reviewer,
                            result=choice(result, L.REVIEW_RESULTS, L.FIELD_RESULT), note=note)
    done(L.REVIEW_DONE.format(name=m["name"]))


@command(app, "inspect-card")
def inspect_card(member: MemberArg, when: DateOpt = None) -> None:
    """返回后查验并收回活动证。"""
    from flowparty import records

    with writing("inspect-card") as led:
        m = records.find_member(led, member)
        records.inspect_card(led, m, inspected_on=on(when))
    done(L.INSPECT_DONE.format(name=m["name"]))
