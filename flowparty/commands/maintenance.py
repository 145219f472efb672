"""台账维护：建立台账、台账信息、备份与检查、乡镇合并、示例台账。"""

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
            dates = [] if damage else integrity.date_problems(led.conn, today())
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
            ui.say(L.CHECK_PROBLEM.format(problem=problem.text + "。" + problem.fix))
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
