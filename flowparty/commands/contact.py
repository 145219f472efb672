"""汇报与联系：思想汇报、联系、组织生活、向原组织反馈。"""

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


@command(app, "record-report")
def record_report(
    member: MemberArg,
    when: DateOpt = None,
    kind: Annotated[str, typer.Option("--kind", help="思想汇报/情况汇报。")] = "思想汇报",
    summary: Annotated[Optional[str], typer.Option("--summary", help="内容摘要。")] = None,
) -> None:
    """登记党员向本支部的汇报。"""
    from flowparty import records

    with writing("record-report") as led:
        m = records.find_member(led, member)
        records.record_report(led, m, reported_on=on(when), kind=choice(kind, L.REPORT_KINDS, L.FIELD_KIND),
                              summary=summary)
    done(L.REPORT_DONE.format(name=m["name"], kind=kind.strip()))


@command(app, "record-contact")
def record_contact(
    member: MemberArg,
    when: DateOpt = None,
    channel: Annotated[str, typer.Option("--channel", help="电话/微信/走访/其他。")] = "电话",
    note: NoteOpt = None,
) -> None:
    """登记支部与党员的联系。"""
    from flowparty import records

    with writing("record-contact") as led:
        m = records.find_member(led, member)
        records.record_contact(led, m, contacted_on=on(when), channel=choice(channel, L.CHANNELS, L.FIELD_CHANNEL),
                               note=note)
    done(L.CONTACT_DONE.format(name=m["name"], channel=channel.strip()))


@command(app, "record-org-life")
def record_org_life(
    member: MemberArg,
    when: DateOpt = None,
    kind: Annotated[str, typer.Option("--kind", help="/".join(L.ORG_LIFE_KINDS) + "。")] = "主题党日",
    where: Annotated[str, typer.Option("--where", help="在哪里参加：本支部或流入地。")] = "流入地",
) -> None:
    """登记党员参加的组织生活。"""
    from flowparty import records

    with writing("record-org-life") as led:
        m = records.find_member(led, member)
        records.record_org_life(led, m, held_on=on(when), kind=choice(kind, L.ORG_LIFE_KINDS, L.FIELD_KIND),
                                place=choice(where, L.PLACES, L.FIELD_WHERE))
    done(L.ORG_LIFE_DONE.format(name=m["name"], kind=kind.strip()))


@command(app, "record-feedback")
def record_feedback(member: MemberArg, when: DateOpt = None, note: NoteOpt = None) -> None:
    """向外来党员的原组织反馈情况（意见 二(二)4）。"""
    from flowparty import records

    with writing("record-feedback") as led:
        m = records.find_member(led, member)
        records.record_feedback(led, m, sent_on=on(when), note=note)
    done(L.FEEDBACK_DONE.format(name=m["name"]))
