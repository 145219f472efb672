"""台账维护：建立台账、台账信息、备份与检查、乡镇合并、示例台账。"""

from __future__ import annotations

import os
import sqlite3
import sys
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
from flowparty.usage import confirm_asked


# ---------------------------------------------------------------- init, info, check, backup


@command(app, "init")
def init(
    branch: Annotated[str, typer.Option("--branch", help="本支部名称，如 青山村党支部。")],
    committee: Annotated[str, typer.Option("--committee", help="为活动证盖章的基层党委，如 青山镇党委。")],
    code: Annotated[Optional[str], typer.Option("--code", help="支部代码，用于生成活动证编号。")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="台账从哪个月起完整（如 2026-01），之前的不追究；默认本月。")] = None,
    report_months: Annotated[int, typer.Option("--report-months", help="思想汇报周期：12 或 6 个月。")] = 12,
    province: Annotated[Optional[str], typer.Option("--province", help="本支部所在省，用于统计跨省流动。")] = None,
    city: Annotated[Optional[str], typer.Option("--city", help="本支部所在市，用于统计省内跨市流动。")] = None,
) -> None:
    """建立一本新台账。"""
    from flowparty import db, records

    since_month = parse.parse_month(since, L.FIELD_SINCE) if since else parse.Month.of(records.today())
    path = db_path()
    confirm_asked()
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


@command(app, "merge")
def merge(
    ledgers: Annotated[list[Path], typer.Argument(help="各支部的台账文件（可多个）。")],
    replace: Annotated[bool, typer.Option("--replace", help="支部重新建立了台账时，用新台账替换汇总台账中该支部的旧数据。")] = False,
) -> None:
    """把各支部台账合并进 --db 指定的乡镇汇总台账；重复合并只会更新，不会重复。"""
    from flowparty import merge as merging

    from flowparty import backup, db

    confirm_asked()
    with ledger() as led:
        db.require_sound(led.conn, led.path)
        sources = [merging.read_source(path, led) for path in ledgers]
        with led.transaction("merge"):
            results = [(source, *merging.merge(led, source, replace=replace)) for source in sources]
            backup.before_commit(led.path, "merge")
    for source, name, tally in results:
        done(L.MERGE_DONE.format(branch=name, path=source.path, added=tally.added, updated=tally.updated,
                                 removed=tally.removed, same=tally.same))
    from flowparty import ui

    for line in merging.summary_lines([tally for _, _, tally in results]):
        ui.say(line)


# ---------------------------------------------------------------- backup and check


@command(app, "backup")
def backup_ledger(
    dest: Annotated[Optional[Path], typer.Argument(help="备份文件或文件夹；默认放在台账旁的 <台账>.backups 文件夹。")] = None,
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
            dates = [] if damage else integrity.date_problems(led.conn, today())
    except LedgerError as error:
        from flowparty import diagnose

        if not diagnose.is_corruption(error.__cause__):
            raise
        damage = [error.message]
    except sqlite3.DatabaseError as error:
        from flowparty import diagnose

        if not diagnose.is_corruption(error):
            raise
        damage = [str(error)]
    if damage:
        db.mark_damaged(path, damage)  # writes are refused until a check passes again
        _restore_advice(path, damage)
        raise typer.Exit(3)
    db.clear_damaged(path)
    _record_pass(path)
    if dates:
        ui.warn(L.CHECK_DATES.format(count=len(dates)))
        for problem in dates:
            ui.say(L.CHECK_PROBLEM.format(problem=problem.text + "。" + problem.fix))
        raise typer.Exit(1)
    done(L.CHECK_OK.format(path=path))


def _record_pass(path: Path) -> None:
    """The file passed SQLite's checks: note it in the ledger, so the audit stops asking for `check` (FP901). A
    ledger that cannot be written (a read-only file, another writer) is still checked; the clerk is told."""
    from datetime import datetime

    from flowparty import db, integrity, ui

    try:
        led = db.open_ledger(path)
        try:
            integrity.record_pass(led.conn, datetime.now())
        finally:
            led.close()
    except (FlowpartyError, sqlite3.Error) as error:
        ui.warn(L.CHECK_PASS_NOT_RECORDED.format(detail=getattr(error, "message", error)))


def _restore_advice(path: Path, damage: list[str]) -> None:
    """A damaged ledger: what SQLite found, how to restore, and the newest copies to restore from."""
    from flowparty import backup, ui

    ui.fail(LedgerError(L.CHECK_DAMAGED.format(path=path)))
    for problem in damage[:20]:
        ui.tell(L.CHECK_PROBLEM.format(problem=problem))
    ui.tell(L.CHECK_RESTORE.format(path=path))
    copies = backup.newest(path)[:5]
    if not copies:
        ui.tell(L.CHECK_NO_BACKUPS.format(folder=backup.folder(path)))
        return
    ui.tell(L.CHECK_BACKUPS)
    for copy in copies:
        ui.tell(L.CHECK_PROBLEM.format(problem=copy))


# ---------------------------------------------------------------- demo


@command(app, "demo")
def demo() -> None:
    """建立一本示例台账（一个村支部，三十多名党员），看看各命令和审计的效果；不碰您自己的台账。"""
    import shlex

    from flowparty import auditview, records, ui
    from flowparty import demo as village
    from flowparty.places import place_name

    path = village.target(State.db)
    prog = os.environ.get("FLOWPARTY_AS") or "flowparty"  # bin/flowparty sets it: the suggestions run as typed
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
            (L.DEMO_PLACES_LINE, "、".join(L.DEMO_PLACE_PART.format(place=place_name(p, c), count=n)
                                         for p, c, n in facts["places"])),
        ])
        # The audit of the demo branch, then the commands to try next.
        ui.say(L.DEMO_AUDIT_HEADING.format(prog=prog))
        auditview.show_audit(led, today)
    ui.say(L.DEMO_NEXT.format(prog=prog))
    for command_line, what in L.DEMO_NEXT_COMMANDS:
        line = L.DEMO_NEXT_LINE.format(prog=prog, path=shlex.quote(str(path)), what=what,
                                       command=command_line.format(name=village.AWAY[0].name, year=today.year))
        ui.out().print(line, markup=False, soft_wrap=True)  # whole lines, so they can be copied
    ui.say(L.DEMO_OWN.format(prog=prog))


@contextmanager
def ledger_at(path: Path) -> Iterator:
    """A read-only ledger at a path the command chose itself (the demo's), not the one --db or FLOWPARTY_DB names."""
    from flowparty import db

    led = db.open_ledger(path, readonly=True)
    try:
        yield led
    finally:
        led.close()


# ---------------------------------------------------------------- shell completion


@command(app, "completion")
def completion(
    shell: Annotated[str, typer.Argument(help="所用的命令行外壳：bash 或 zsh。")],
) -> None:
    """输出命令补全脚本：按 Tab 键补全命令、选项和党员姓名。"""
    from typer._completion_shared import get_completion_script

    from flowparty.cli import COMPLETE_VAR

    name = parse.parse_choice(shell, L.SHELLS, L.FIELD_SHELL)
    script = get_completion_script(prog_name="flowparty", complete_var=COMPLETE_VAR, shell=name)
    # zsh's script runs `flowparty` by name; run the command as typed instead (bin/flowparty in a clone), as bash's does.
    sys.stdout.write(script.replace(f"{COMPLETE_VAR}=complete_zsh flowparty)",
                                    f"{COMPLETE_VAR}=complete_zsh ${{words[1]}})") + "\n")


# ---------------------------------------------------------------- putting records right: history, undo, void, settings


@command(app, "history")
def history(
    member: Annotated[Optional[str], typer.Argument(help="只看这名党员的变更（身份证号或姓名）。")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少条命令。")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """变更历史：最近的命令，新的在前，每条有时间、原因和改动前后的内容。"""
    from flowparty import records, ui, undo, views

    with ledger(readonly=True) as led:
        member_id = records.find_member(led, member)["id"] if member else None
        commands = undo.history(led, member_id, max(1, limit))
    if as_json:
        ui.print_json([{"id": c.id, "at": c.at, "command": c.command, "reason": c.reason, "undoes": c.undoes,
                        "undone_by": c.undone_by, "rows": c.rows, "changes": c.changes} for c in commands])
        return
    if not commands:
        ui.say(L.HISTORY_EMPTY)
        return
    ui.say(L.HISTORY_TITLE.format(count=len(commands)))
    for c in commands:  # one block per command: its changes are sentences, unreadable in an 80-column table cell
        head = L.HISTORY_HEAD.format(id=c.id, at=c.at.replace("T", " "), command=c.command) + (
            L.HISTORY_UNDONE if c.undone_by else "") + (L.HISTORY_UNDO_OF.format(id=c.undoes) if c.undoes else "")
        lines = ([L.HISTORY_REASON.format(reason=c.reason)] if c.reason else []) + [
            L.HISTORY_CHANGE.format(change=views.describe_change(e)) for e in c.changes]
        if c.rows > len(c.changes):
            lines.append(L.UNDO_MORE.format(count=c.rows - len(c.changes)).strip())
        ui.block(head, lines)


def confirmed(prompt_lines: list[str], yes: bool) -> bool:
    """Show what will be taken back; on a terminal ask, elsewhere require --yes."""
    from flowparty import ui
    from flowparty.errors import BadInput

    for line in prompt_lines:
        ui.say(line)
    if yes:
        return True
    if not sys.stdin.isatty():
        raise BadInput(L.UNDO_NEEDS_YES)
    answer = input(L.UNDO_CONFIRM + "（是/否）：").strip().lower()
    return answer in ("是", "y", "yes", "确定")


def take_back(import_only: bool, yes: bool) -> None:
    """undo and import undo: one mechanism, aimed at the latest command or the latest import."""
    from flowparty import undo, views

    from flowparty import db

    with writing("import undo" if import_only else "undo") as led:
        db.require_sound(led.conn, led.path)
        tx = undo.latest(led, import_only)
        command_shown = undo.command_of(led, tx)
        undo.refuse_if_built_on(led, tx)
        lines = [L.UNDO_SHOW.format(at=tx["at"].replace("T", " "), command=tx["command"], rows=command_shown.rows)]
        lines += ["  · " + views.describe_change(e) for e in command_shown.changes]
        if command_shown.rows > len(command_shown.changes):
            lines.append(L.UNDO_MORE.format(count=command_shown.rows - len(command_shown.changes)))
        if not confirmed(lines, yes):
            from flowparty import ui

            ui.say(L.UNDO_CANCELLED)
            return
        rows = undo.undo(led, tx)
    done(L.UNDO_DONE_ANY.format(command=tx["command"], rows=rows))


@command(app, "undo")
def undo_last(yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问，直接撤销（脚本中使用）。")] = False) -> None:
    """撤销最近一条改动台账的命令（任何命令）；先列出将撤销的内容并询问。撤销本身也记入历史。"""
    take_back(import_only=False, yes=yes)


settings_app = subcommands("台账设置与规则阈值：查看、修改（需写明原因）。", invoke_without_command=True)
app.add_typer(settings_app, name="settings")


@settings_app.callback()
def settings_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """列出全部设置：支部、基层党委、代码、所在省市、起始月份、汇报周期和每条规则的阈值。"""
    if ctx.invoked_subcommand:
        return
    from flowparty import settings, ui

    try:
        with ledger(readonly=True) as led:
            rows = settings.shown(led)
    except FlowpartyError as error:
        from flowparty.cli import _fail

        _fail(error)
    if as_json:
        ui.print_json(rows)
        return
    ui.table(L.SETTINGS_TITLE, L.SETTINGS_HEADERS, ((r["name"], r["key"], r["value"], r["default"]) for r in rows))


@command(settings_app, "set")
def settings_set(
    key: Annotated[str, typer.Argument(help="键名或中文名称，如 report_months 或 汇报周期（月）。")],
    value: Annotated[str, typer.Argument(help="新的值。")],
    reason: ReasonOpt,
) -> None:
    """修改一项设置；原来的值和原因记入变更历史。"""
    from flowparty import corrections, settings

    with writing("settings set", corrections.reason_given(reason)) as led:
        setting, old, new = settings.change(led, key, value)
    done(L.SETTING_DONE.format(name=setting.name, old=old if old not in (None, "") else "（空）", new=new,
                               reason=reason.strip()))


void_app = subcommands("作废录错的记录：记录保留并标明作废原因，不再计入审计、统计和导出。")
app.add_typer(void_app, name="void")


@command(void_app, "dues")
def void_dues(
    member: MemberArg,
    period: Annotated[str, typer.Option("--period", help="所属期：2026-01、2026-01..2026-03 或 2026-Q1。")],
    reason: ReasonOpt,
) -> None:
    """作废某月（或区间）的党费登记；这些月份之后可以重新登记。"""
    from flowparty import corrections, records

    months = parse.parse_periods(period)
    with writing("void dues", corrections.reason_given(reason)) as led:
        m = records.find_member(led, member)
        count = corrections.void_dues(led, m, months, reason)
    done(L.VOID_DUES_DONE.format(name=m["name"], count=count, reason=reason.strip()))


def _void_dated_command(kind: str) -> Callable:
    def run(
        member: MemberArg,
        when: Annotated[str, typer.Option("--date", help="要作废的那条记录的日期。")],
        reason: ReasonOpt,
        which: Annotated[Optional[int], typer.Option("--which", help="同一天有几条时，作废第几条。")] = None,
    ) -> None:
        from flowparty import corrections, records

        with writing(f"void {kind}", corrections.reason_given(reason)) as led:
            m = records.find_member(led, member)
            corrections.void_dated(led, m, kind, parse.parse_date(when, L.FIELD_DATE), reason, which)
        done(L.VOID_DONE.format(name=m["name"], what=L.VOID_WHAT[kind], reason=reason.strip()))

    run.__doc__ = f"作废某天的一条{L.VOID_WHAT[kind]}记录（录错、重复）；记录保留并标明作废。"
    run.__name__ = f"void_{kind.replace('-', '_')}"
    return run


for _kind in ("report", "contact", "org-life", "review", "feedback", "check-in", "update"):
    command(void_app, _kind)(_void_dated_command(_kind))


@command(void_app, "card")
def void_card(
    member: MemberArg,
    reason: Annotated[str, typer.Option("--reason", help="遗失/损坏/收回/错发。")],
    when: DateOpt = None,
) -> None:
    """作废（挂失）党员现持的活动证，不补发；错发的证视为从未有效。补发请用 issue-card --reissue。"""
    from flowparty import corrections, records

    with writing("void card", corrections.reason_given(reason)) as led:
        m = records.find_member(led, member)
        card_no = corrections.void_card(led, m, reason.strip(), maybe_date(when, L.FIELD_DATE))
    done(L.VOID_CARD_DONE.format(name=m["name"], card_no=card_no, reason=reason.strip()))


@command(void_app, "return")
def void_return(member: MemberArg, reason: ReasonOpt) -> None:
    """作废误登记的返回：党员重新计为外出（同一次外出）。"""
    from flowparty import corrections, records

    with writing("void return", corrections.reason_given(reason)) as led:
        m = records.find_member(led, member)
        corrections.void_return(led, m, reason)
    done(L.VOID_RETURN_DONE.format(name=m["name"], reason=reason.strip()))


@command(void_app, "transfer")
def void_transfer(member: MemberArg, reason: ReasonOpt) -> None:
    """作废误登记的组织关系转出：党员回到转出前的状态。"""
    from flowparty import corrections, records

    with writing("void transfer", corrections.reason_given(reason)) as led:
        m = records.find_member(led, member)
        corrections.void_transfer(led, m, reason)
    done(L.VOID_TRANSFER_DONE.format(name=m["name"], reason=reason.strip()))
