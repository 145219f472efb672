"""外出：外出登记、变更、报到、返回、组织关系转出。"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer

from flowparty import labels as L
from flowparty import parse
from flowparty.cli import (DateOpt, JsonOpt, MemberArg, NoteOpt, PhoneOpt, ReasonOpt, State, app, choice, command,
                           db_path, done, ledger, maybe_date, on, subcommands, writing)
from flowparty.errors import FlowpartyError, LedgerError


# ---------------------------------------------------------------- the outflow


@command(app, "register-outflow")
def register_outflow(
    member: MemberArg,
    to: Annotated[str, typer.Option("--to", help="外出地点：\"省 市 详细地址\"，如 \"浙江省 宁波市 北仑区某厂\"。")],
    reason: Annotated[str, typer.Option("--reason", help="外出原因：务工/经商/就学/居住/其他。")],
    when: DateOpt = None,
    employer: Annotated[Optional[str], typer.Option("--employer", help="工作单位。")] = None,
    unit_type: Annotated[Optional[str], typer.Option("--unit-type", help="单位类型：" + "/".join(L.UNIT_TYPES) + "。")] = None,
    phone: PhoneOpt = None,
    until: Annotated[Optional[str], typer.Option("--until", help="预计返回日期。")] = None,
    fixed: Annotated[bool, typer.Option("--fixed", help="在外有固定地点。")] = False,
    briefed: Annotated[bool, typer.Option("--briefed", help="已进行外出前教育。")] = False,
) -> None:
    """外出登记（意见 二(一)1–2）。"""
    from flowparty import records

    with writing("register-outflow") as led:
        m = records.find_member(led, member)
        records.register_outflow(
            led, m, destination=parse.parse_destination(to), reason=choice(reason, L.REASONS, L.FIELD_REASON),
            left_on=on(when, L.FIELD_LEFT_ON), employer=employer,
            unit_type=choice(unit_type, L.UNIT_TYPES, L.FIELD_UNIT_TYPE), phone=parse.optional_phone(phone),
            until=maybe_date(until, L.FIELD_UNTIL), fixed=fixed, briefed=briefed,
        )
    done(L.OUTFLOW_DONE.format(name=m["name"], to=parse.parse_destination(to)))
    if not briefed:
        from flowparty import ui

        ui.warn(L.NOT_BRIEFED)


@command(app, "update-outflow")
def update_outflow(
    member: MemberArg,
    to: Annotated[Optional[str], typer.Option("--to", help="新的外出地点。")] = None,
    employer: Annotated[Optional[str], typer.Option("--employer", help="新的工作单位。")] = None,
    unit_type: Annotated[Optional[str], typer.Option("--unit-type", help="新的单位类型。")] = None,
    phone: PhoneOpt = None,
    fixed: Annotated[Optional[bool], typer.Option("--fixed/--no-fixed", help="在外是否有固定地点。")] = None,
    when: DateOpt = None,
) -> None:
    """外出期间变更地点、单位或电话；原来的内容保存在历史中。"""
    from flowparty import records

    with writing("update-outflow") as led:
        m = records.find_member(led, member)
        changed = records.update_outflow(
            led, m, changed_on=on(when), destination=parse.parse_destination(to) if to is not None else None,
            employer=employer, phone=parse.optional_phone(phone) if phone is not None else None, fixed=fixed,
            unit_type=choice(unit_type, L.UNIT_TYPES, L.FIELD_UNIT_TYPE),
        )
    done(L.UPDATE_DONE.format(name=m["name"], fields="、".join(dict.fromkeys(L.column(c) for c in changed))))


@command(app, "check-in")
def check_in(
    member: MemberArg,
    org: Annotated[str, typer.Option("--org", help="接收（流入地）党组织。")],
    when: DateOpt = None,
    branch: Annotated[Optional[str], typer.Option("--branch", help="编入的支部。")] = None,
    verified: Annotated[bool, typer.Option("--verified", help="活动证已验证。")] = False,
    filed: Annotated[bool, typer.Option("--filed", help="已报上级党组织备案。")] = False,
) -> None:
    """报到：到流入地党组织报到、验证、编入支部。"""
    from flowparty import records

    with writing("check-in") as led:
        m = records.find_member(led, member)
        records.check_in(led, m, org=org, checked_in_on=on(when), branch=branch, verified=verified, filed=filed)
    done(L.CHECKIN_DONE.format(name=m["name"], org=org.strip()))


@command(app, "return")
def return_home(
    member: MemberArg,
    when: DateOpt = None,
    inspected: Annotated[bool, typer.Option("--inspected", help="已查验并收回活动证。")] = False,
    summary: Annotated[Optional[str], typer.Option("--summary", help="外出期间表现小结。")] = None,
) -> None:
    """登记外出党员返回（意见 二(一)4）。"""
    from flowparty import records, ui

    with writing("return") as led:
        m = records.find_member(led, member)
        records.return_home(led, m, returned_on=on(when, L.FIELD_RETURNED_ON), inspected=inspected, summary=summary)
    done(L.RETURN_DONE.format(name=m["name"]))
    if not inspected:
        ui.warn(L.RETURN_NOT_INSPECTED)


@command(app, "transfer-out")
def transfer_out(
    member: MemberArg,
    to: Annotated[str, typer.Option("--to", help="组织关系转入的党组织。")],
    when: DateOpt = None,
) -> None:
    """组织关系转出：党员离开在册名单，记录保留。"""
    from flowparty import records

    with writing("transfer-out") as led:
        m = records.find_member(led, member)
        records.transfer_out(led, m, to_org=to, transferred_on=on(when))
    done(L.TRANSFER_DONE.format(name=m["name"], to=to.strip()))


@command(app, "edit-outflow")
def edit_outflow(
    member: MemberArg,
    reason: ReasonOpt,
    left_on: Annotated[Optional[str], typer.Option("--left-on", help="正确的外出日期。")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="正确的外出地点。")] = None,
    reason_kind: Annotated[Optional[str], typer.Option("--reason-kind", help="正确的外出原因：务工/经商/就学/居住/其他。")] = None,
    employer: Annotated[Optional[str], typer.Option("--employer", help="正确的工作单位。")] = None,
    phone: PhoneOpt = None,
    until: Annotated[Optional[str], typer.Option("--until", help="正确的预计返回日期。")] = None,
    fixed: Annotated[Optional[bool], typer.Option("--fixed/--no-fixed", help="在外是否有固定地点。")] = None,
    briefed: Annotated[Optional[bool], typer.Option("--briefed/--no-briefed", help="是否已进行外出前教育。")] = None,
    ended_on: Annotated[Optional[str], typer.Option("--ended-on", help="正确的返回（或转出）日期。")] = None,
) -> None:
    """更正外出登记中录错的内容（按登记时就应有的样子，任何审计日期都按更正后的算）；
    外出期间真的换了地点、单位或电话，请用 update-outflow。"""
    from flowparty import corrections, records

    with writing("edit-outflow", corrections.reason_given(reason)) as led:
        m = records.find_member(led, member)
        changed = corrections.edit_outflow(
            led, m, reason, left_on=maybe_date(left_on, L.FIELD_LEFT_ON),
            destination=parse.parse_destination(to) if to is not None else None,
            reason_kind=choice(reason_kind, L.REASONS, L.FIELD_REASON), employer=employer,
            phone=parse.optional_phone(phone), until=maybe_date(until, L.FIELD_UNTIL), fixed=fixed, briefed=briefed,
            ended_on=maybe_date(ended_on, L.FIELD_RETURNED_ON))
    done(L.EDIT_DONE.format(name=m["name"], fields="、".join(dict.fromkeys(L.column(c) for c in changed)),
                            reason=reason.strip()))
