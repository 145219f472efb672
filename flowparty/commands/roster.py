"""名册：党员的登记、列表、查看，外来党员，预备党员，临时党小组。"""

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


member_app = subcommands("党员名册：登记、列表、查看。")
group_app = subcommands("临时党小组。")
app.add_typer(member_app, name="member")
app.add_typer(group_app, name="group")

# ---------------------------------------------------------------- roster


@command(member_app, "add")
def member_add(
    name: Annotated[str, typer.Option("--name", help="姓名。")],
    id_number: Annotated[str, typer.Option("--id", help="18 位身份证号。")],
    gender: Annotated[Optional[str], typer.Option("--gender", help="男/女；默认按身份证号。")] = None,
    phone: PhoneOpt = None,
    joined: Annotated[Optional[str], typer.Option("--joined", help="入党日期。")] = None,
    probationary: Annotated[bool, typer.Option("--probationary", help="预备党员。")] = False,
    probation_ends: Annotated[Optional[str], typer.Option("--probation-ends", help="预备期满日期；默认入党一年后。")] = None,
    quarterly: Annotated[bool, typer.Option("--quarterly", help="按季交纳党费。")] = False,
    occupation: Annotated[Optional[str], typer.Option("--occupation", help="原职业（年报按此分类）：" + "/".join(L.OCCUPATIONS) + "。")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="备注。")] = None,
) -> None:
    """把一名党员登记到名册。"""
    from flowparty import records

    with writing("member add") as led:
        records.add_member(
            led, name=name, id_number=id_number, gender=choice(gender, L.GENDERS, L.FIELD_GENDER),
            phone=parse.optional_phone(phone), joined=maybe_date(joined, L.FIELD_JOINED),
            probationary=probationary, probation_ends=maybe_date(probation_ends, L.FIELD_PROBATION_ENDS),
            quarterly=quarterly, occupation=choice(occupation, L.OCCUPATION_CHOICES, L.FIELD_OCCUPATION), notes=notes,
        )
    done(L.MEMBER_ADDED.format(name=name.strip()))


@command(member_app, "list")
def member_list(
    status: Annotated[Optional[str], typer.Option("--status", help="只列某一类：外出、在家、外来、已转出。")] = None,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少人（--json 总是输出全部）。")] = 20,
    show_all: Annotated[bool, typer.Option("--all", help="列出全部党员。")] = False,
) -> None:
    """列出名册（默认前 20 人，并说明另有多少人未列出；--all 列出全部）。"""
    from flowparty import ui, views

    wanted = choice(status, L.STATUS_CHOICES, L.FIELD_STATUS)
    with ledger(readonly=True) as led:
        rows = views.roster(led, wanted)
    if as_json:
        ui.print_json(rows)
        return
    shown = rows if show_all else rows[:max(1, limit)]
    ui.table(L.ROSTER_TITLE.format(count=len(rows)), L.ROSTER_HEADERS, (
        (r["name"], r["id_number"], r["gender"], L.CATEGORY[r["category"]], L.STATUS[r["status"]],
         r["destination"] or r["origin_org"], r["left_on"] or r["arrived_on"], r["card_no"], r["phone"])
        for r in shown
    ), drop=(7, 8, 2, 3))
    if len(shown) < len(rows):
        ui.say(L.MEMBER_LIST_LIMITED.format(limit=len(shown), count=len(rows) - len(shown)))


@command(member_app, "show")
def member_show(member: MemberArg, as_json: JsonOpt = False) -> None:
    """查看一名党员的全部记录和变更历史。"""
    from flowparty import records, ui, views

    with ledger(readonly=True) as led:
        detail = views.member_detail(led, records.find_member(led, member))
    if as_json:
        ui.print_json(detail)
        return
    _render_member(detail)


def _render_member(detail: dict) -> None:
    from flowparty import ui

    m = detail["member"]
    ui.pairs(L.MEMBER_TITLE.format(name=m["name"]), [
        (L.FIELD_ID, m["id_number"]), (L.FIELD_GENDER, m["gender"]), (L.FIELD_BIRTH, m["birth_date"]),
        (L.FIELD_PHONE, m["phone"]), (L.column("category"), L.CATEGORY[m["category"]]),
        (L.FIELD_JOINED, m["joined_on"]), (L.FIELD_PROBATION_ENDS, m["probation_ends"]),
        (L.column("status"), L.STATUS[m["status"]]), (L.column("quarterly"), L.YES_NO[m["quarterly"]]),
        (L.FIELD_OCCUPATION, m["occupation"]), (L.column("notes"), m["notes"]),
        (L.DUES_SUMMARY, L.DUES_SUMMARY_VALUE.format(months=detail["dues"]["months"],
                                                     total=parse.format_fen(detail["dues"]["total_fen"]),
                                                     last=detail["dues"]["last_period"] or "—")),
    ])
    events = detail["timeline"]
    if not events:
        ui.say(L.EVENTS_NONE)
    ui.table(L.EVENTS_TITLE, L.EVENTS_HEADERS, (
        (e["date"], L.EVENT_KINDS[e["kind"]],
         "\n".join(p for p in (e["text"], e["void_reason"] and L.EVENT_VOIDED.format(reason=e["void_reason"])) if p))
        for e in events))
    ui.say(L.EVENTS_MORE.format(member=m["id_number"]))


# ---------------------------------------------------------------- inflow, probation, groups


@command(app, "register-inflow")
def register_inflow(
    name: Annotated[str, typer.Option("--name", help="姓名。")],
    id_number: Annotated[str, typer.Option("--id", help="18 位身份证号。")],
    origin: Annotated[str, typer.Option("--from", help="原组织（组织关系所在党组织）。")],
    card_no: Annotated[Optional[str], typer.Option("--card-no", help="原组织发放的活动证编号。")] = None,
    when: DateOpt = None,
    branch: Annotated[Optional[str], typer.Option("--branch", help="编入的支部。")] = None,
    verified: Annotated[bool, typer.Option("--verified", help="活动证已查验。")] = False,
    phone: PhoneOpt = None,
    gender: Annotated[Optional[str], typer.Option("--gender", help="男/女；默认按身份证号。")] = None,
) -> None:
    """外来流动党员登记（意见 二(二)）。"""
    from flowparty import records

    with writing("register-inflow") as led:
        records.register_inflow(
            led, name=name, id_number=id_number, origin_org=origin, arrived_on=on(when, L.FIELD_ARRIVED_ON),
            origin_card_no=card_no, branch=branch, verified=verified, phone=parse.optional_phone(phone),
            gender=choice(gender, L.GENDERS, L.FIELD_GENDER),
        )
    done(L.INFLOW_DONE.format(name=name.strip(), origin=origin.strip()))


@command(app, "convert")
def convert(
    member: MemberArg,
    when: DateOpt = None,
    extend_to: Annotated[Optional[str], typer.Option("--extend-to", help="延长预备期至该日期（半年到一年）。")] = None,
    cancel: Annotated[bool, typer.Option("--cancel", help="取消预备党员资格。")] = False,
) -> None:
    """预备党员转正、延长预备期或取消资格（意见 二(一)5）。"""
    from flowparty import records

    with writing("convert") as led:
        m = records.find_member(led, member)
        outcome = records.convert(led, m, decided_on=on(when), extend_to=maybe_date(extend_to, L.FIELD_EXTEND_TO),
                                  cancel=cancel)
    done(L.CONVERT_DONE.format(name=m["name"], outcome=L.OUTCOMES[outcome]))


@command(app, "set-quarterly")
def set_quarterly(
    member: MemberArg,
    quarterly: Annotated[bool, typer.Option("--quarterly/--monthly", help="按季 / 按月交纳党费。")] = True,
) -> None:
    """设置党员按季或按月交纳党费（意见 二(三)2）。"""
    from flowparty import records

    with writing("set-quarterly") as led:
        m = records.find_member(led, member)
        records.set_quarterly(led, m, quarterly)
    done(L.QUARTERLY_DONE.format(name=m["name"], how=L.QUARTERLY if quarterly else L.MONTHLY))


@command(group_app, "add")
def group_add(
    name: Annotated[str, typer.Option("--name", help="党小组名称。")],
    city: Annotated[str, typer.Option("--city", help="所在城市。")],
    leader: Annotated[str, typer.Option("--leader", help="组长（身份证号或姓名）。")],
    members: Annotated[list[str], typer.Option("--member", help="成员（可重复）。")] = [],
    when: DateOpt = None,
) -> None:
    """成立临时党小组（村规 四）。"""
    from flowparty import records

    with writing("group add") as led:
        records.add_group(led, name=name, city=city, leader=records.find_member(led, leader),
                          members=[records.find_member(led, m) for m in members], formed_on=on(when))
    done(L.GROUP_DONE.format(name=name.strip()))


@command(member_app, "edit")
def member_edit(
    member: MemberArg,
    reason: ReasonOpt,
    name: Annotated[Optional[str], typer.Option("--name", help="正确的姓名。")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id", help="正确的 18 位身份证号（与新登记一样校验）。")] = None,
    gender: Annotated[Optional[str], typer.Option("--gender", help="男/女（须与身份证号一致）。")] = None,
    phone: PhoneOpt = None,
    joined: Annotated[Optional[str], typer.Option("--joined", help="正确的入党日期。")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="党员类别：正式党员/预备党员。")] = None,
    probation_ends: Annotated[Optional[str], typer.Option("--probation-ends", help="正确的预备期满日期。")] = None,
    occupation: Annotated[Optional[str], typer.Option("--occupation", help="原职业：" + "/".join(L.OCCUPATIONS) + "。")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="备注。")] = None,
) -> None:
    """更正名册中录错的内容（录入时就错了，不是后来的变化）；党员的全部记录随之保留。"""
    from flowparty import corrections, records

    with writing("member edit", corrections.reason_given(reason)) as led:
        m = records.find_member(led, member)
        changed = corrections.edit_member(
            led, m, reason, name=name, id_number=id_number, gender=choice(gender, L.GENDERS, L.FIELD_GENDER),
            phone=parse.optional_phone(phone), joined=maybe_date(joined, L.FIELD_JOINED),
            category=choice(category, L.MEMBER_CATEGORIES, L.FIELD_MEMBER_CATEGORY),
            probation_ends=maybe_date(probation_ends, L.FIELD_PROBATION_ENDS),
            occupation=choice(occupation, L.OCCUPATION_CHOICES, L.FIELD_OCCUPATION), notes=notes)
    done(L.EDIT_DONE.format(name=changed.get("name", m["name"]),
                            fields="、".join(dict.fromkeys(L.column(c) for c in changed)), reason=reason.strip()))


@command(member_app, "find")
def member_find(
    text: Annotated[str, typer.Argument(help="姓名、身份证号或电话的一部分。")],
    as_json: JsonOpt = False,
) -> None:
    """按姓名、身份证号或电话的一部分查找党员。"""
    from flowparty import records, ui

    with ledger(readonly=True) as led:
        found = records.find_text(led, text)
    rows = [{"id_number": m["id_number"], "name": m["name"], "status": m["status"], "phone": m["phone"]} for m in found]
    if as_json:
        ui.print_json(rows)
        return
    if not rows:
        ui.say(L.FIND_NONE.format(text=text.strip()))
        return
    ui.table(L.FIND_TITLE.format(text=text.strip(), count=len(rows)), ("姓名", "身份证号", "状态", "联系电话"),
             ((r["name"], r["id_number"], L.STATUS[r["status"]], r["phone"]) for r in rows))
