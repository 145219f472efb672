"""Typer's own words in Chinese: usage errors (a missing option, an unknown command) with exit 2, and help.

Typer carries a private copy of Click whose messages are English literals; the root command group runs it
in non-standalone mode and renders its exceptions here instead, and help pages pass through `_translate`.
"""

from __future__ import annotations

import re
import sys

from typer._click import exceptions as click_errors
from typer.exceptions import Abort, Exit
from typer.core import TyperCommand, TyperGroup

from flowparty import labels as L
from flowparty.errors import EXIT_BAD_INPUT

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell expects of a program stopped by Ctrl-C
_told = False


def interrupted() -> None:
    """Say once, on stderr, that Ctrl-C stopped the command and nothing was written."""
    global _told
    if not _told:
        _told = True
        sys.stderr.write(L.INTERRUPTED + "\n")
        sys.stderr.flush()


def _hint(error: click_errors.BadParameter) -> str:
    if error.param is not None:
        if getattr(error.param, "param_type_name", "") == "argument":
            return error.param.metavar or (error.param.name or "").upper()
        return " / ".join(getattr(error.param, "opts", None) or [error.param.name or ""])
    return str(error.param_hint or "")


def chinese_message(error: click_errors.ClickException) -> str:
    """The Chinese sentence for a usage error, chosen by its kind."""
    if isinstance(error, click_errors.MissingParameter):
        return L.USAGE_MISSING.format(name=_hint(error))
    if isinstance(error, click_errors.NoSuchOption):
        text = L.USAGE_NO_OPTION.format(name=error.option_name)
        if error.possibilities:
            text += L.USAGE_DID_YOU_MEAN.format(names="、".join(sorted(error.possibilities)))
        return text
    if isinstance(error, click_errors.BadParameter):
        return L.USAGE_BAD_VALUE.format(name=_hint(error))
    if isinstance(error, click_errors.BadOptionUsage):
        return L.USAGE_NEEDS_VALUE.format(name=error.option_name)
    message = error.format_message()
    match = re.match(r"No such command '(.+)'", message)
    if match:
        return L.USAGE_NO_COMMAND.format(name=match.group(1))
    match = re.match(r"Got unexpected extra argument(?:\(s\))? \((.+)\)", message)
    if match:
        return L.USAGE_EXTRA_ARGS.format(args=match.group(1))
    return L.USAGE_OTHER


_HELP_WORDS = (
    ("Usage: ", L.HELP_USAGE), ("Options:", L.HELP_OPTIONS), ("Commands:", L.HELP_COMMANDS),
    ("Arguments:", L.HELP_ARGUMENTS), ("Show this message and exit.", L.HELP_HELP),
    ("[required]", L.HELP_REQUIRED), ("[default: ", L.HELP_DEFAULT), ("; default: ", "；" + L.HELP_DEFAULT),
)


def _translate(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    return text


class ChineseCommand(TyperCommand):
    """A command whose help page reads in Chinese."""

    def get_help(self, ctx) -> str:
        return _translate(super().get_help(ctx))


class ChineseGroup(TyperGroup):
    """A group whose help reads in Chinese; as the root it also turns usage errors into one Chinese line, exit 2."""

    def get_help(self, ctx) -> str:
        return _translate(super().get_help(ctx))

    def format_commands(self, ctx, formatter) -> None:
        """The root lists its commands under the clerk's task groups (labels.COMMAND_GROUPS), in that order."""
        if ctx.parent is not None:
            return super().format_commands(ctx, formatter)
        commands = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        commands = {name: cmd for name, cmd in commands.items() if cmd is not None and not cmd.hidden}
        width = formatter.width - 6 - max(len(name) for name in commands)
        listed: set[str] = set()
        for section, names in L.COMMAND_GROUPS.items():
            rows = [(name, commands[name].get_short_help_str(width)) for name in names if name in commands]
            listed.update(names)
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)
        rest = [(name, cmd.get_short_help_str(width)) for name, cmd in commands.items() if name not in listed]
        if rest:
            with formatter.section(L.HELP_OTHER_COMMANDS):
                formatter.write_dl(rest)

    def invoke(self, ctx):
        """Ctrl-C in a command: Typer would turn it into a silent Exit(130); the clerk reads why instead (the
        command's transaction has rolled back by the time the interrupt gets here)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()
            raise Exit(EXIT_INTERRUPTED) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        global _told
        _told = False
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as error:  # `flowparty` alone: the help, not an error
            sys.stdout.write(error.ctx.get_help() + "\n")
            code = 0
        except click_errors.ClickException as error:
            command_path = error.ctx.command_path if getattr(error, "ctx", None) else "flowparty"
            sys.stderr.write(L.USAGE_ERROR.format(message=chinese_message(error)) + "\n")
            sys.stderr.write(L.USAGE_HELP.format(command=command_path) + "\n")
            code = EXIT_BAD_INPUT
        except Abort:  # Ctrl-C or end of input at a prompt: typer raises its own Abort, not click's
            interrupted()
            code = 1
        except KeyboardInterrupt:  # between parsing and the command: still said in Chinese
            interrupted()
            code = EXIT_INTERRUPTED
        if code == EXIT_INTERRUPTED:
            interrupted()  # Typer's own Exit(130) for a Ctrl-C that reached it first
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)
