"""The command line: parse what the clerk typed, call the domain, render the result. No SQL here.

Heavy modules (sqlite_utils, openpyxl, rich tables) are imported inside the commands that need them, so
`flowparty --version` and `--help` start fast.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer

from flowparty import __version__
from flowparty import labels as L
from flowparty import parse
from flowparty.errors import FlowpartyError, LedgerError
from flowparty.usage import ChineseCommand, ChineseGroup

app = typer.Typer(
    name="flowparty",
    cls=ChineseGroup,
    help="流动党员台账：登记外出、活动证、报到、党费、汇报，审计并统计上报。",
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def subcommands(help_text: str) -> typer.Typer:
    """A command group (member, group, report …) with Chinese help and usage errors like the root's."""
    return typer.Typer(help=help_text, cls=ChineseGroup, rich_markup_mode=None, no_args_is_help=True)


member_app = subcommands("党员名册：登记、列表、查看。")
group_app = subcommands("临时党小组。")
app.add_typer(member_app, name="member")
app.add_typer(group_app, name="group")


# ---------------------------------------------------------------- shared options

MemberArg = Annotated[str, typer.Argument(metavar="MEMBER", help="党员：身份证号，或台账中唯一的姓名。")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="日期，如 2026-03-01、2026/3/1、2026年3月1日；默认今天。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（UTF-8），供脚本使用。")]
NoteOpt = Annotated[Optional[str], typer.Option("--note", help="备注。")]
PhoneOpt = Annotated[Optional[str], typer.Option("--phone", help="联系电话（手机或带区号的固定电话）。")]


class State:
    """What the root options set for the command that follows (the Typer callback runs before each command)."""

    db: Optional[Path] = None


def _version(value: bool) -> None:
    if value:
        print(f"flowparty {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[Optional[Path], typer.Option("--db", help="台账文件；默认取环境变量 FLOWPARTY_DB，再默认为本用户的台账。")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本。")] = False,
) -> None:
    """流动党员台账。先运行 flowparty demo 看一个示例支部，再用 flowparty init 建立自己的台账。"""
    State.db = db


def command(group: typer.Typer, name: str) -> Callable:
    """Register a command behind the one error boundary: a FlowpartyError becomes a Chinese line and its exit code."""

    def register(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except FlowpartyError as error:
                _fail(error)
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                _fail(LedgerError(L.LEDGER_LOCKED.format(path=State.db or ""), L.LEDGER_LOCKED_HINT))
            except sqlite3.DatabaseError as error:
                _fail(LedgerError(L.LEDGER_DAMAGED.format(path=State.db or "", detail=error),
                                  L.LEDGER_DAMAGED_HINT))

        group.command(name, cls=ChineseCommand)(run)
        return fn

    return register


def _fail(error: FlowpartyError) -> None:
    from flowparty import ui

    if os.environ.get("FLOWPARTY_DEBUG"):
        raise error
    ui.fail(error)
    raise typer.Exit(error.code)


def db_path() -> Path:
    from flowparty.db import resolve_path

    return resolve_path(State.db)


@contextmanager
def ledger(readonly: bool = False) -> Iterator:
    from flowparty import db

    led = db.open_ledger(db_path(), readonly=readonly)
    try:
        yield led
    finally:
        led.close()


@contextmanager
def writing(name: str) -> Iterator:
    """Open the ledger and run the body as one transaction of the named command."""
    with ledger() as led, led.transaction(name):
        yield led


def on(text: Optional[str], field: str = L.FIELD_DATE) -> date:
    """A --date value, today when not given."""
    from flowparty.records import today

    return parse.parse_date(text, field) if text else today()


def maybe_date(text: Optional[str], field: str) -> Optional[date]:
    return parse.optional_date(text, field)


def choice(text: Optional[str], choices: dict, field: str) -> Optional[str]:
    return None if text is None else parse.parse_choice(text, choices, field)


def done(text: str) -> None:
    from flowparty import ui

    ui.done(text)


# ---------------------------------------------------------------- init, info, check, backup


@command(app, "init")
def init(
    branch: Annotated[str, typer.Option("--branch", help="本支部名称，如 青山村党支部。")],
    committee: Annotated[str, typer.Option("--committee", help="为活动证盖章的基层党委，如 青山镇党委。")],
    code: Annotated[Optional[str], typer.Option("--code", help="支部代码，用于生成活动证编号。")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="台账从哪个月起完整（YYYY-MM），之前的不追究；默认本月。")] = None,
    report_months: Annotated[int, typer.Option("--report-months", help="思想汇报周期：12 或 6 个月。")] = 12,
    province: Annotated[Optional[str], typer.Option("--province", help="本支部所在省，用于统计跨省流动。")] = None,
    city: Annotated[Optional[str], typer.Option("--city", help="本支部所在市，用于统计省内跨市流动。")] = None,
) -> None:
    """建立一本新台账。"""
    from flowparty import db, records

    since_month = parse.parse_month(since, L.FIELD_SINCE) if since else parse.Month.of(records.today())
    path = db_path()
    with db.creating(path) as led, led.transaction("init"):
        records.initialize(led, branch=branch, committee=committee, code=code, since=since_month,
                           report_months=report_months, home_province=province, home_city=city)
    done(L.INIT_DONE.format(path=path, branch=branch.strip(), since=since_month))


@command(app, "info")
def info(as_json: JsonOpt = False) -> None:
    """台账文件、版本与各类记录数。"""
    from flowparty import ui, views

    with ledger(readonly=True) as led:
        data = views.ledger_info(led)
    if as_json:
        ui.print_json(data)
        return
    ui.pairs(L.INFO_TITLE, [
        (L.INFO_PATH, data["path"]), (L.INFO_SCHEMA, data["schema_version"]),
        (L.FIELD_BRANCH_NAME, data["branch"]), (L.FIELD_COMMITTEE, data["committee"]),
        (L.INFO_CODE, data["code"]), (L.FIELD_SINCE, data["since"]),
        (L.FIELD_REPORT_MONTHS, data["report_months"]),
        *((L.INFO_STATUS.format(status=L.STATUS[s]), n) for s, n in data["members_by_status"].items()),
        *((L.INFO_COUNT.format(table=L.TABLE_NAMES.get(t, L.INFO_HISTORY)), n) for t, n in data["counts"].items()),
    ])


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
    status: Annotated[Optional[str], typer.Option("--status", help="只列某一类：away 外出 / home 在家 / inflow 外来 / transferred 已转出。")] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出名册（默认全部）。"""
    from flowparty import ui, views

    wanted = choice(status, L.STATUS_CHOICES, L.FIELD_STATUS)
    with ledger(readonly=True) as led:
        rows = views.roster(led, wanted)
    if as_json:
        ui.print_json(rows)
        return
    ui.table(L.ROSTER_TITLE.format(count=len(rows)), L.ROSTER_HEADERS, (
        (r["name"], r["id_number"], r["gender"], L.CATEGORY[r["category"]], L.STATUS[r["status"]],
         r["destination"] or r["origin_org"], r["left_on"] or r["arrived_on"], r["card_no"], r["phone"])
        for r in rows
    ))


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
    from flowparty import ui, views

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
    for o in detail["outflows"]:
        place = " ".join(p for p in (o["province"], o["city"], o["address"]) if p)
        ended = L.OUTFLOW_ENDED.format(on=o["ended_on"], kind=L.END_KIND[o["end_kind"]]) if o["ended_on"] else L.OUTFLOW_ONGOING
        ui.say(L.OUTFLOW_LINE.format(left=o["left_on"], place=place, reason=o["reason"],
                                     employer=o["employer"] or "—", ended=ended))
    ui.table(L.TIMELINE_TITLE, L.TIMELINE_HEADERS,
             ((e["at"].replace("T", " "), e["command"], views.describe_change(e)) for e in detail["history"]))


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


@command(app, "issue-card")
def issue_card(
    member: MemberArg,
    card_no: Annotated[Optional[str], typer.Option("--no", help="活动证编号；不填则按支部代码和年份生成。")] = None,
    when: DateOpt = None,
) -> None:
    """发放《流动党员活动证》；补发时原证作废。"""
    from flowparty import records

    with writing("issue-card") as led:
        m = records.find_member(led, member)
        number = records.issue_card(led, m, issued_on=on(when), card_no=card_no)
    done(L.CARD_DONE.format(name=m["name"], card_no=number))


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


@command(app, "record-dues")
def record_dues(
    member: MemberArg,
    period: Annotated[str, typer.Option("--period", help="所属期：2026-01，2026-01..2026-06，或 2026-Q1。")],
    amount: Annotated[str, typer.Option("--amount", help="实交总额（元），平均分摊到各月。")],
    when: DateOpt = None,
    to: Annotated[str, typer.Option("--to", help="交至：home 本支部 / inflow 流入地党组织。")] = "home",
    receipt: Annotated[Optional[str], typer.Option("--receipt", help="收据号。")] = None,
) -> None:
    """登记党费（按月，或按季）。"""
    from flowparty import records, ui

    months = parse.parse_periods(period)
    fen = parse.parse_amount(amount)
    with writing("record-dues") as led:
        m = records.find_member(led, member)
        records.record_dues(led, m, periods=months, amount_fen=fen, paid_on=on(when, L.FIELD_PAID_ON),
                            paid_to=choice(to, L.PAID_TO, L.FIELD_PAID_TO), receipt=receipt)
    done(L.DUES_DONE.format(name=m["name"], first=months[0], last=months[-1], months=len(months),
                            amount=parse.format_fen(fen)))
    if len(months) > 6:
        ui.warn(L.DUES_LONG_BACKPAY.format(months=len(months)))


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
    where: Annotated[str, typer.Option("--where", help="home 本支部 / inflow 流入地。")] = "inflow",
) -> None:
    """登记党员参加的组织生活。"""
    from flowparty import records

    with writing("record-org-life") as led:
        m = records.find_member(led, member)
        records.record_org_life(led, m, held_on=on(when), kind=choice(kind, L.ORG_LIFE_KINDS, L.FIELD_KIND),
                                place=choice(where, L.PLACES, L.FIELD_WHERE))
    done(L.ORG_LIFE_DONE.format(name=m["name"], kind=kind.strip()))


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


@command(app, "inspect-card")
def inspect_card(member: MemberArg, when: DateOpt = None) -> None:
    """返回后查验并收回活动证。"""
    from flowparty import records

    with writing("inspect-card") as led:
        m = records.find_member(led, member)
        records.inspect_card(led, m, inspected_on=on(when))
    done(L.INSPECT_DONE.format(name=m["name"]))


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


@command(app, "record-feedback")
def record_feedback(member: MemberArg, when: DateOpt = None, note: NoteOpt = None) -> None:
    """向外来党员的原组织反馈情况（意见 二(二)4）。"""
    from flowparty import records

    with writing("record-feedback") as led:
        m = records.find_member(led, member)
        records.record_feedback(led, m, sent_on=on(when), note=note)
    done(L.FEEDBACK_DONE.format(name=m["name"]))


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


# ---------------------------------------------------------------- year-end: dues standard, annual report, merge

report_app = subcommands("统计上报：年度流动党员情况统计。")
app.add_typer(report_app, name="report")


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


@command(app, "merge")
def merge(
    ledgers: Annotated[list[Path], typer.Argument(metavar="LEDGER", help="各支部的台账文件（可多个）。")],
    replace: Annotated[bool, typer.Option("--replace", help="支部重新建立了台账时，用新台账替换汇总台账中该支部的旧数据。")] = False,
) -> None:
    """把各支部台账合并进 --db 指定的乡镇汇总台账；重复合并只会更新，不会重复。"""
    from flowparty import merge as merging

    with ledger() as led:
        sources = [merging.read_source(path, led) for path in ledgers]
        with led.transaction("merge"):
            results = [(source, *merging.merge(led, source, replace=replace)) for source in sources]
    for source, name, tally in results:
        done(L.MERGE_DONE.format(branch=name, path=source.path, added=tally.added, updated=tally.updated,
                                 removed=tally.removed, same=tally.same))


# ---------------------------------------------------------------- audit, rules, todo

rules_app = typer.Typer(help="审计规则目录；rules explain 代码 查看一条规则的依据。", rich_markup_mode=None,
                        invoke_without_command=True)
app.add_typer(rules_app, name="rules")
CodesOpt = Annotated[Optional[list[str]], typer.Option(help="规则代码、前缀或名称，可用逗号分隔或重复填写。")]


@command(app, "audit")
def audit(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="审计日期；默认今天。之后日期的记录不计入。")] = None,
    select: CodesOpt = None,
    ignore: CodesOpt = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="问题达到此级别时退出码为 1：error、warning、info、never。")] = "error",
    statistics: Annotated[bool, typer.Option("--statistics", help="只列出各规则的问题数。")] = False,
    as_json: JsonOpt = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="另把问题清单写成 Excel 工作簿。")] = None,
    by_branch: Annotated[bool, typer.Option("--by-branch", help="乡镇汇总台账按支部分开列出。")] = False,
) -> None:
    """按流动党员管理规定逐条审计台账（截至某日）。"""
    from flowparty import auditview, report, rules, ui
    from flowparty.errors import BadInput

    if fail_on not in rules.FAIL_ON:
        raise BadInput(L.BAD_FAIL_ON.format(value=fail_on))
    day = on(as_of, L.FIELD_AS_OF)
    chosen = rules.select_rules(select or (), ignore or ())
    with ledger(readonly=True) as led:
        findings = rules.run_audit(led, day, select or (), ignore or ())
        branch = led.setting("branch")
        branch_of = report.member_branch_names(led) if by_branch else {}
    if xlsx is not None:
        from flowparty import export

        export.write_xlsx(xlsx, [export.findings_sheet(findings)])
    if as_json:
        ui.print_json(rules.statistics(findings) if statistics else [
            {**f.as_json(), "branch": branch_of.get(f.member_id, branch)} if by_branch else f.as_json()
            for f in findings])
    elif statistics:
        auditview.print_statistics(findings, day)
    elif by_branch:
        auditview.print_by_branch(findings, branch_of, day, len(chosen))
    else:
        auditview.print_findings(findings, day, branch, len(chosen))
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
def rules_explain(code: Annotated[str, typer.Argument(metavar="CODE", help="规则代码或名称，如 FP202 或 dues-six-months。")]) -> None:
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
        ui.print_json([f.as_json() for f in items])
        return
    auditview.print_todo(items, start, start + timedelta(days=days), days)


# ---------------------------------------------------------------- backup and check


@command(app, "backup")
def backup_ledger(
    dest: Annotated[Optional[Path], typer.Argument(metavar="[DEST]", help="备份文件或文件夹；默认放在台账旁的 <台账>.backups 文件夹。")] = None,
) -> None:
    """给台账做一份一致的副本（其他窗口正在写入时也可以），仅本用户可读。"""
    from flowparty import backup

    done(L.BACKUP_DONE.format(path=backup.take(db_path(), dest=dest)))


@command(app, "check")
def check() -> None:
    """检查台账：SQLite 完整性与外键、不可能的日期；损坏时说明如何从备份恢复。退出码 0 完好，1 有日期问题，3 损坏。"""
    from flowparty import db, integrity, ui
    from flowparty.records import today

    path = db_path()
    try:
        with ledger(readonly=True) as led:
            damage = integrity.damage(led.conn)
            dates = [] if damage else integrity.date_problems(led, today())
    except LedgerError as error:
        cause = error.__cause__
        if not isinstance(cause, sqlite3.DatabaseError) or db.is_busy(cause):
            raise
        damage = [error.message]
    except sqlite3.DatabaseError as error:
        if db.is_busy(error):
            raise
        damage = [str(error)]
    if damage:
        _restore_advice(path, damage)
        raise typer.Exit(3)
    if dates:
        ui.warn(L.CHECK_DATES.format(count=len(dates)))
        for problem in dates:
            ui.say(L.CHECK_PROBLEM.format(problem=problem))
        raise typer.Exit(1)
    done(L.CHECK_OK.format(path=path))


def _restore_advice(path: Path, damage: list[str]) -> None:
    """A damaged ledger: what SQLite found, how to restore, and the newest copies to restore from."""
    from flowparty import backup, ui

    ui.fail(LedgerError(L.CHECK_DAMAGED.format(path=path)))
    for problem in damage[:20]:
        ui.err().print(L.CHECK_PROBLEM.format(problem=problem), markup=False)
    ui.err().print(L.CHECK_RESTORE.format(path=path), markup=False)
    copies = backup.newest(path)[:5]
    if not copies:
        ui.err().print(L.CHECK_NO_BACKUPS.format(folder=backup.folder(path)), markup=False)
        return
    ui.err().print(L.CHECK_BACKUPS, markup=False)
    for copy in copies:
        ui.err().print(L.CHECK_PROBLEM.format(problem=copy), markup=False)


# ---------------------------------------------------------------- spreadsheets: import and export

import_app = typer.Typer(help="从 Excel/WPS 表格（.xlsx/.xls/.ods）或 CSV 导入名册、登记簿、党费、汇报；生成模板；撤销上次导入。",
                         rich_markup_mode=None, no_args_is_help=True)
export_app = typer.Typer(help="把登记簿、党费、汇报、审计问题导出为 Excel 工作簿或 CSV。", rich_markup_mode=None,
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="表格文件：.xlsx、.xls、.ods 或 .csv（UTF-8 或 GBK）。")]


def _import_command(kind: str) -> Callable:
    def run_import(
        file: FileArg,
        sheet: Annotated[Optional[str], typer.Option("--sheet", help="工作表名；默认第一个有表头的工作表。")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并报告将会导入什么，不写入。")] = False,
        skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="写入正确的行，列出并跳过有错误的行。")] = False,
        errors: Annotated[Optional[Path], typer.Option("--errors", help="把错误清单写成 .xlsx 工作簿。")] = None,
    ) -> None:
        from flowparty import backup, importer, ui

        progress = lambda rows, total: ui.progress(rows, L.IMPORT_PROGRESS, total)  # noqa: E731
        with ledger() as led:
            if not dry_run:
                backup.automatic(led.path, "import")
            try:
                outcome = importer.import_file(led, kind, file, sheet, dry_run=dry_run, skip_invalid=skip_invalid,
                                               progress=progress)
            except importer.ImportRefused as refused:
                _list_import_errors(refused.outcome.errors, errors)
                raise
        _list_import_errors(outcome.errors, errors)
        counts = dict(file=file.name, sheet=outcome.sheet, added=outcome.added, unchanged=outcome.unchanged,
                      skipped=len({e.row for e in outcome.errors}))
        if dry_run:
            ui.say(L.IMPORT_DRY_RUN.format(**counts))
        else:
            done(L.IMPORT_DONE.format(**counts, batch=outcome.batch_id))

    run_import.__doc__ = f"导入{L.IMPORT_KINDS[kind]}：逐行检查，全部正确才写入（一个批次，可撤销）。"
    run_import.__name__ = f"import_{kind}"
    return run_import


def _list_import_errors(found: list, errors_file: Optional[Path]) -> None:
    """The bad rows on stderr (the first 50), and all of them in a workbook when asked."""
    from flowparty import export, ui

    limit = 50
    for error in found[:limit]:
        ui.err().print(str(error), markup=False)
    if len(found) > limit:
        ui.err().print(L.IMPORT_MORE_ERRORS.format(count=len(found) - limit), markup=False)
    if errors_file and found:
        export.write_errors(errors_file, found)
        ui.err().print(L.IMPORT_ERRORS_WRITTEN.format(path=errors_file), markup=False)


for _kind in ("members", "outflows", "dues", "reports"):
    command(import_app, _kind)(_import_command(_kind))


@command(import_app, "template")
def import_template(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="members 名册 / outflows 登记簿 / dues 党费 / reports 汇报。")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="要生成的 .xlsx 文件。")],
) -> None:
    """生成一个带正确表头的空白模板（另有一页填写说明）。"""
    import shutil

    from flowparty import export, importer

    kind = importer.kind_of(kind)
    shutil.copyfile(export.template_path(kind), file)
    done(L.TEMPLATE_DONE.format(kind=L.IMPORT_KINDS[kind], path=file))


@command(import_app, "undo")
def import_undo() -> None:
    """撤销最近一次导入（整批，一个事务）；删除的记录保留在变更历史中。"""
    from flowparty import importer

    with writing("import undo") as led:
        undone = importer.undo_last(led)
    batch = undone.batch
    done(L.UNDO_DONE.format(batch=batch["id"], file=batch["file_name"], kind=L.IMPORT_KINDS[batch["kind"]],
                            rows=undone.deleted, updates=undone.restored))


def _export_command(kind: str) -> Callable:
    def run_export(
        xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写成 Excel 工作簿（.xlsx）。")] = None,
        csv_dir: Annotated[Optional[Path], typer.Option("--csv", help="写成 CSV（UTF-8，Excel 可直接打开）到此文件夹。")] = None,
        as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期；默认今天。")] = None,
        mask_ids: Annotated[bool, typer.Option("--mask-ids", help="隐去身份证号和电话号码的中间几位。")] = False,
    ) -> None:
        from flowparty import export, ui
        from flowparty.errors import BadInput

        if (xlsx is None) == (csv_dir is None):
            raise BadInput(L.EXPORT_NOTHING)
        day = on(as_of, L.FIELD_AS_OF)
        kinds = list(export.KINDS) if kind == "all" else [kind]
        with ledger(readonly=True) as led:
            sheets = [export.KINDS[k](led, day, mask_ids) for k in kinds]
        progress = lambda rows, total: ui.progress(rows, L.EXPORT_PROGRESS, total)  # noqa: E731
        if xlsx is not None:
            export.write_xlsx(xlsx, sheets, progress)
            done(L.EXPORT_DONE.format(path=xlsx))
        else:
            for path in export.write_csv(csv_dir, sheets, progress):
                done(L.EXPORT_DONE.format(path=path))

    title = "、".join(L.EXPORT_KINDS.values()) if kind == "all" else L.EXPORT_KINDS[kind]
    run_export.__doc__ = f"导出{title}（每类一个工作表）。" if kind == "all" else f"导出{title}。"
    run_export.__name__ = f"export_{kind}"
    return run_export


for _kind in ("register", "dues", "reports", "findings", "all"):
    command(export_app, _kind)(_export_command(_kind))


# ---------------------------------------------------------------- demo


@command(app, "demo")
def demo() -> None:
    """建立一本示例台账（一个村支部，三十多名党员），看看各命令和审计的效果；不碰您自己的台账。"""
    import shlex

    from flowparty import auditview, records, ui
    from flowparty import demo as village

    path = village.target(State.db)
    today = records.today()
    village.build(path, today)
    with ledger_at(path) as led:
        facts = village.summary(led)
        ui.pairs(L.DEMO_TITLE, [
            (L.DEMO_FILE_LINE, path.resolve()),
            (L.DEMO_BRANCH_LINE, L.DEMO_BRANCH_VALUE.format(**facts)),
            (L.DEMO_TODAY_LINE, today),
            (L.DEMO_MEMBERS_LINE, L.DEMO_MEMBERS_VALUE.format(
                total=facts["total"], probationary=facts["probationary"],
                statuses="、".join(L.DEMO_STATUS_PART.format(status=L.STATUS[s], count=n)
                                  for s, n in facts["by_status"].items()))),
            (L.DEMO_PLACES_LINE, "、".join(L.DEMO_PLACE_PART.format(province=p, city=c if c != p else "", count=n)
                                         for p, c, n in facts["places"])),
        ])
        # The audit of the demo branch, then the commands to try next.
        ui.say(L.DEMO_AUDIT_HEADING)
        auditview.show_audit(led, today)
    ui.say(L.DEMO_NEXT)
    for command_line, what in L.DEMO_NEXT_COMMANDS:
        line = L.DEMO_NEXT_LINE.format(path=shlex.quote(str(path)), what=what,
                                       command=command_line.format(name=village.AWAY[0].name, year=today.year))
        ui.out().print(line, markup=False, soft_wrap=True)  # whole lines, so they can be copied
    ui.say(L.DEMO_OWN)


@contextmanager
def ledger_at(path: Path) -> Iterator:
    """A read-only ledger at a path the command chose itself (the demo's), not the one --db or FLOWPARTY_DB names."""
    from flowparty import db

    led = db.open_ledger(path, readonly=True)
    try:
        yield led
    finally:
        led.close()


def main() -> None:
    """The console script: Typer's app, with Python's own errors kept from the clerk unless FLOWPARTY_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write(L.INTERRUPTED + "\n")
        sys.exit(130)
    except Exception as error:
        if os.environ.get("FLOWPARTY_DEBUG"):
            raise
        sys.stderr.write(L.INTERNAL_ERROR.format(kind=type(error).__name__) + "\n" + L.INTERNAL_ERROR_HINT + "\n")
        sys.exit(70)
