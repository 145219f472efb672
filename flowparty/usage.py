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


# ---------------------------------------------------------------- asking instead of failing (SPEC §9)

_ASKED = "flowparty.asked"  # ctx.meta key, set when something was asked: the command's arguments as completed


def on_terminal() -> bool:
    """A person at a terminal (both ends), not a script or a pipe: only then is anything asked."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _help_text(param) -> str:
    return (getattr(param, "help", None) or param.metavar or param.name or "").strip().rstrip("。")


def question(param) -> str:
    """The Chinese question for a parameter, from its help: '外出原因：务工/经商/…' → '外出原因（务工/经商/…）：'."""
    label, colon, hint = _help_text(param).partition("：")
    return L.ASK_QUESTION.format(label=label, hint=hint) if colon else L.ASK_PLAIN.format(label=label)


def short_label(param) -> str:
    """The parameter's name in Chinese: its help up to the first colon, comma or semicolon."""
    return re.split("[：，；]", _help_text(param), maxsplit=1)[0]


def ask(prompt: str, required: bool = True) -> str:
    """One answer typed at the terminal (asked again while empty, if required); end of input is a cancel, as
    Ctrl-C is. No readline: the terminal's own line editing erases whole Chinese characters, and a long Chinese
    prompt is not redrawn."""
    while True:
        try:
            answer = input(prompt).strip()
        except EOFError:
            raise Abort() from None
        if answer or not required:
            return answer
        sys.stdout.write(L.ASK_AGAIN + "\n")


def parse_asking(parse, ctx, args: list[str]) -> list[str]:
    """Parse the arguments; on a terminal, each missing required value is asked for and the arguments parsed again
    with the answer added (an option as --name=answer, an argument at the end). Elsewhere exit 2 as always."""
    args = list(args)
    while True:
        try:
            rest = parse(ctx, list(args))
        except click_errors.MissingParameter as error:
            if error.param is None or ctx.resilient_parsing or not on_terminal():
                raise
            answer = ask(question(error.param))
            if error.param.param_type_name == "argument":
                args.append(answer)
            else:
                args.append(f"{max(error.param.opts, key=len)}={answer}")
            ctx.meta[_ASKED] = args
            continue
        return rest


def _shown_value(value) -> str:
    if value is True:
        return L.ASK_FLAG_ON
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


_PLAIN_WORD = re.compile(r"[^\s'\"\\$`;&|<>()*?!#~{}\[\]]+")


def command_line(words: list[str]) -> str:
    """The words as the clerk would type them: --name value, a value with spaces in double quotes (as the README)."""
    split = [part for word in words
             for part in (word.split("=", 1) if word.startswith("--") and "=" in word else [word])]
    return " ".join(w if _PLAIN_WORD.fullmatch(w) else '"' + re.sub(r'(["\\$`])', r"\\\1", w) + '"' for w in split)


def confirm_asked() -> None:
    """Before a command writes: if values were asked for, show every value given and ask; 否 writes nothing (exit 0)."""
    from typer._click.globals import get_current_context
    from typer._click.core import ParameterSource

    ctx = get_current_context(silent=True)
    asked = ctx.meta.get(_ASKED) if ctx is not None else None
    if not asked:
        return
    lines = [L.ASK_WILL_WRITE.format(command=ctx.command_path)]
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE and value not in (None, False, ()):
            lines.append(L.ASK_ITEM.format(label=short_label(param), value=_shown_value(value)))
    root = ctx.find_root()
    db = ["--db", str(root.params["db"])] if root.params.get("db") else []
    words = [root.info_name or "flowparty", *db, *ctx.command_path.split()[1:], *asked]
    lines.append(L.ASK_NEXT_TIME.format(line=command_line(words)))
    sys.stdout.write("\n".join(lines) + "\n")
    if ask(L.ASK_CONFIRM, required=False).lower() not in L.ASK_YES:  # Enter alone is the default: no
        sys.stdout.write(L.ASK_CANCELLED + "\n")
        raise Exit(0)


class ChineseCommand(TyperCommand):
    """A command whose help page reads in Chinese, and which asks for a missing value on a terminal."""

    def get_help(self, ctx) -> str:
        return _translate(super().get_help(ctx))

    def parse_args(self, ctx, args):
        return parse_asking(super().parse_args, ctx, args)


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
