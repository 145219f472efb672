"""Typer's own words in Chinese: usage errors (a missing option, an unknown command) with exit 2, and help.

Typer carries a private copy of Click whose messages are English literals; the root command group runs it
in non-standalone mode and renders its exceptions here instead. Help pages are written by ChineseCommand and
ChineseGroup themselves: Chinese headings, placeholders that read as words (<日期>, <党员>), defaults in the
clerk's words, the Chinese names of sub-commands (import 名册), the examples of labels.EXAMPLES, and lines
wrapped by their width on screen (a Chinese character is two columns) without breaking an ID, a date, a path
or an option.
"""

from __future__ import annotations

import inspect
import re
import sys
from difflib import get_close_matches

from typer._click import exceptions as click_errors
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import Abort, Exit
from typer.models import Context

from flowparty import labels as L
from flowparty.text import _wide, display_width, wrap
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


# ---------------------------------------------------------------- usage errors

class ChineseUsageError(click_errors.UsageError):
    """A usage error whose message is already the clerk's Chinese sentence."""


def _hint(error: click_errors.BadParameter) -> str:
    if error.param is not None:
        if getattr(error.param, "param_type_name", "") == "argument":
            return placeholder(error.param, error.ctx)
        return " / ".join(getattr(error.param, "opts", None) or [error.param.name or ""])
    return str(error.param_hint or "")


def _did_you_mean(names) -> str:
    return L.USAGE_DID_YOU_MEAN.format(names="、".join(names)) if names else ""


def chinese_message(error: click_errors.ClickException) -> str:
    """The Chinese sentence for a usage error, chosen by its kind."""
    if isinstance(error, ChineseUsageError):
        return error.message
    if isinstance(error, click_errors.MissingParameter):
        return L.USAGE_MISSING.format(name=_hint(error))
    if isinstance(error, click_errors.NoSuchOption):
        return L.USAGE_NO_OPTION.format(name=error.option_name) + _did_you_mean(sorted(error.possibilities or ()))
    if isinstance(error, click_errors.BadParameter):
        return L.USAGE_BAD_VALUE.format(name=_hint(error))
    if isinstance(error, click_errors.BadOptionUsage):
        return L.USAGE_NEEDS_VALUE.format(name=error.option_name)
    match = re.match(r"Got unexpected extra argument(?:\(s\))? \((.+)\)", error.format_message())
    if match:
        return L.USAGE_EXTRA_ARGS.format(args=match.group(1))
    return L.USAGE_OTHER


# ---------------------------------------------------------------- lines by their width on screen

def _joined(lines: list[str]) -> str:
    """A paragraph's lines as one: a space between two words, none between Chinese characters."""
    text = ""
    for line in (line.strip() for line in lines):
        gap = "" if not text or _wide(text[-1]) or _wide(line[0]) else " "
        text += gap + line
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


def paragraphs(text: str) -> list[str]:
    return [_joined(block.splitlines()) for block in inspect.cleandoc(text).split("\n\n") if block.strip()]


def shorten(text: str, width: int) -> str:
    """The first sentence, without its remarks in brackets if it is too wide, cut before a semicolon (else a
    comma) to fit width columns (… marks the cut)."""
    first = paragraphs(text)[0] if text.strip() else ""
    first = first.partition("。")[0] + "。" if "。" in first[:-1] else first
    if display_width(first) > width:
        first = re.sub(r"（[^（）]*）", "", first)  # the remarks in brackets go first
    if display_width(first) <= width:
        return first
    kept = ""
    for char in first:
        if display_width(kept + char) > width - 1:
            break
        kept += char
    cut = next((kept.rfind(sign) for sign in "；，、：" if kept.rfind(sign) > 0), len(kept))
    return kept[:cut] + "…"


class ChineseFormatter(HelpFormatter):
    """Click's help formatter with Chinese headings and lines measured in screen columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        start = f"{' ' * self.current_indent}{L.HELP_USAGE}{prog} "
        self.write(wrap(args, self.width, start, " " * display_width(start)) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{' ' * self.current_indent}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write("\n\n".join(wrap(p, self.width, indent, indent) for p in paragraphs(text)) + "\n")

    def write_lines(self, lines) -> None:
        """Lines as they are (examples: a command is never wrapped)."""
        for line in lines:
            self.write(f"{' ' * self.current_indent}{line}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max(display_width(first) for first, _ in rows), col_max) + col_spacing
        text_width = max(self.width - first_col - self.current_indent, 10)
        margin = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(" " * self.current_indent + first)
            lines = wrap(second, text_width).splitlines() if second else []
            if not lines:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)) + lines.pop(0) + "\n")
            else:
                self.write("\n")
            for line in lines:
                self.write(margin + line + "\n")


class ChineseContext(Context):
    formatter_class = ChineseFormatter


# ---------------------------------------------------------------- help pages

def command_key(ctx) -> str:
    """The command's path without the program name, by registered names: "import members" for import 名册."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def placeholder(param, ctx) -> str:
    """The word that stands for a value in help and usage: <日期>, <党员>, <本支部/流入地>."""
    key = f"{command_key(ctx)} {param.name}".strip()
    word = L.PLACEHOLDERS.get(key) or L.PLACEHOLDERS.get(param.name or "") or L.PLACEHOLDER_OTHER
    return f"<{word}>" + ("..." if param.nargs != 1 else "")


def _notes(param, ctx) -> str:
    """［默认：…］ and ［必填］ after an option's help; a default is written as the clerk would type it."""
    notes = []
    default = param.get_default(ctx, call=False)
    if getattr(param, "is_bool_flag", False):
        if param.secondary_opts and param.show_default is not False:
            notes.append(L.HELP_DEFAULT.format(value=(param.opts if default else param.secondary_opts)[0]))
    elif default not in (None, "", [], ()) and param.show_default is not False:
        notes.append(L.HELP_DEFAULT.format(value=default))
    if param.required:
        notes.append(L.HELP_REQUIRED)
    return "".join(notes)


def help_record(param, ctx, is_help: bool = False) -> tuple[str, str]:
    """One row of the 参数 or 选项 list: the names with the placeholder, then the help with its notes."""
    if param.param_type_name == "argument":
        names = placeholder(param, ctx)
    else:
        names = " / ".join(", ".join(sorted(opts, key=lambda o: len(o) - len(o.lstrip("-"))))
                           for opts in (param.opts, param.secondary_opts) if opts)
        if not param.is_flag:
            names += " " + placeholder(param, ctx)
    text = L.HELP_HELP if is_help else (param.help or "")
    notes = _notes(param, ctx)
    return names, text + notes


class _ChineseHelp:
    """What ChineseCommand and ChineseGroup share: the help page in Chinese, ending with the examples."""

    context_class = ChineseContext

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [L.HELP_OPTIONS_METAVAR]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                word = placeholder(param, ctx)
                pieces.append(word if param.required else f"[{word}]")
        return pieces

    def format_options(self, ctx, formatter) -> None:
        help_option = self.get_help_option(ctx)
        rows = {"argument": [], "option": []}
        for param in self.get_params(ctx):
            if not param.hidden:
                rows[param.param_type_name].append(help_record(param, ctx, param is help_option))
        for heading, found in ((L.HELP_ARGUMENTS, rows["argument"]), (L.HELP_OPTIONS, rows["option"])):
            if found:
                with formatter.section(heading):
                    formatter.write_dl(found)

    def format_epilog(self, ctx, formatter) -> None:
        examples = L.EXAMPLES.get(command_key(ctx))
        if examples:
            with formatter.section(L.HELP_EXAMPLES):
                formatter.write_lines(examples)

    def get_short_help_str(self, limit: int = 45) -> str:
        return shorten(self.short_help or self.help or "", limit)


class ChineseCommand(_ChineseHelp, TyperCommand):
    """A command whose help page reads in Chinese, and which asks for a missing value on a terminal."""

    def parse_args(self, ctx, args):
        return parse_asking(super().parse_args, ctx, args)


class ChineseGroup(_ChineseHelp, TyperGroup):
    """A group whose help reads in Chinese, whose sub-commands also answer to their Chinese names
    (labels.COMMAND_ALIASES); as the root it also turns usage errors into one Chinese line, exit 2."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        word = L.HELP_COMMAND_METAVAR
        return super().collect_usage_pieces(ctx) + [f"[{word}]" if self.invoke_without_command else word]

    def aliases(self) -> dict[str, str]:
        """Chinese name → sub-command name."""
        return L.COMMAND_ALIASES.get(self.name or "", {})

    def get_command(self, ctx, cmd_name: str):
        return self.commands.get(cmd_name) or self.commands.get(self.aliases().get(cmd_name, ""))

    def resolve_command(self, ctx, args):
        """An unknown sub-command: said in Chinese, with the closest names (English or Chinese)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            known = [n for n, c in self.commands.items() if not c.hidden] + list(self.aliases())
            raise ChineseUsageError(L.USAGE_NO_COMMAND.format(name=name) + _did_you_mean(
                get_close_matches(name, known)), ctx)
        return super().resolve_command(ctx, args)

    def format_options(self, ctx, formatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter) -> None:
        """A sub-command is listed with its Chinese name; the root lists its commands under the clerk's task
        groups (labels.COMMAND_GROUPS), in that order."""
        commands = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        commands = {name: cmd for name, cmd in commands.items() if cmd is not None and not cmd.hidden}
        if not commands:
            return
        chinese = {command: alias for alias, command in self.aliases().items()}
        shown = {name: f"{name} {chinese[name]}" if name in chinese else name for name in commands}
        first = min(max(display_width(text) for text in shown.values()), 30) + 2
        width = formatter.width - formatter.current_indent - 2 - first

        def rows(names) -> list[tuple[str, str]]:
            return [(shown[name], commands[name].get_short_help_str(width)) for name in names if name in commands]

        sections = L.COMMAND_GROUPS if ctx.parent is None else {L.HELP_COMMANDS: tuple(commands)}
        listed = {name for names in sections.values() for name in names}
        sections = {**sections, L.HELP_OTHER_COMMANDS: tuple(n for n in commands if n not in listed)}
        for section, names in sections.items():
            found = rows(names)
            if found:
                with formatter.section(section):
                    formatter.write_dl(found)

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
