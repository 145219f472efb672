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
from flowparty.usage import ChineseCommand, ChineseGroup, confirm_asked

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


def subcommands(help_text: str, invoke_without_command: bool = False) -> typer.Typer:
    """A command group (member, group, report …) with Chinese help and usage errors like the root's; a group
    that does something of its own without a sub-command (rules, settings) says invoke_without_command."""
    return typer.Typer(help=help_text, cls=ChineseGroup, rich_markup_mode=None,
                       invoke_without_command=invoke_without_command, no_args_is_help=not invoke_without_command)




# ---------------------------------------------------------------- shared options

def complete_member(ctx: typer.Context, incomplete: str) -> list[str]:
    """Tab completion of MEMBER: the names in the ledger (--db if typed) that start with what was typed."""
    from flowparty import db, records

    try:
        led = db.open_ledger(db.resolve_path(ctx.find_root().params.get("db")), readonly=True)
        try:
            return records.names_starting(led, incomplete)
        finally:
            led.close()
    except (FlowpartyError, sqlite3.Error, OSError):  # no ledger yet, or not one: nothing to offer
        return []


MemberArg = Annotated[str, typer.Argument(help="党员：身份证号，或台账中唯一的姓名。",
                                          autocompletion=complete_member)]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="日期，如 2026-03-01、2026/3/1、2026年3月1日；默认今天。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（UTF-8），供脚本使用。")]
NoteOpt = Annotated[Optional[str], typer.Option("--note", help="备注。")]
PhoneOpt = Annotated[Optional[str], typer.Option("--phone", help="联系电话（手机或带区号的固定电话）。")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="更正或作废的原因（必填，记入变更历史）。")]


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
            except BrokenPipeError:  # the reader of the output stopped (| head): Typer ends quietly, no fault here
                raise
            except (sqlite3.DatabaseError, OSError) as error:  # a full disk, no permission, a folder, real damage
                from flowparty import diagnose

                _fail(diagnose.explain(error, db_path()))

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
def writing(name: str, reason: Optional[str] = None) -> Iterator:
    """Open the ledger and run the body as one transaction of the named command (a correction gives its reason);
    when values were asked for at the terminal, the clerk first sees them all and confirms."""
    confirm_asked()
    with ledger() as led, led.transaction(name, reason):
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


COMPLETE_VAR = "_FLOWPARTY_COMPLETE"


def main() -> None:
    """The console script: Typer's app, with Python's own errors kept from the clerk unless FLOWPARTY_DEBUG is set."""
    if COMPLETE_VAR in os.environ:  # the shell asks for completions (flowparty completion bash|zsh)
        from typer._completion_classes import completion_init

        completion_init()
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


# The task groups register their commands on app (imported last: they use the helpers above).
from flowparty.commands import audit, card, contact, dues, maintenance, outflow, roster, sheets  # noqa: E402,F401
