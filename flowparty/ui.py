"""The two consoles (stdout for results, stderr for errors), tables, JSON and progress.

rich is imported on first use, so a command that prints nothing (or --version) does not pay for it.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from itertools import islice
from typing import Any, Iterable, Iterator, Sequence, TypeVar

from flowparty import labels as L
from flowparty.errors import FlowpartyError

T = TypeVar("T")


@lru_cache(maxsize=None)
def out():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@lru_cache(maxsize=None)
def err():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _message(console, text: str, style: str | None = None, indent: int = 0) -> None:
    """A message on a terminal wraps where Chinese text may break, never inside an ID, a path or a command
    (flowparty.text); written to a file or a pipe it is not wrapped at all. `indent` indents it, and twice as much
    the lines it wraps into."""
    first, rest = " " * indent, " " * (2 * indent)
    if console.is_terminal:
        from flowparty.text import wrap

        text = "\n".join(wrap(line, console.width, first, rest) for line in text.split("\n"))
    else:
        text = first + text
    console.print(text, markup=False, style=style, soft_wrap=True)


def say(text: str) -> None:
    _message(out(), text)


def done(text: str) -> None:
    _message(out(), "✔ " + text, "green")


def tell(text: str) -> None:
    """A line for the clerk on stderr, beside a result or an error (what to do next, what was left out)."""
    _message(err(), text)


def warn(text: str) -> None:
    _message(err(), "注意：" + text, "yellow")


def fail(error: FlowpartyError) -> None:
    """The one place an error reaches the clerk: '错误：…' on stderr, and the hint below it."""
    _message(err(), "错误：" + error.message, "bold red")
    if error.hint:
        tell(error.hint)


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8, stable keys, no colour; indented on a terminal, compact for a program (one
    line, written by json's C encoder: an indented dump goes through its Python encoder, 5-10× slower)."""
    indent, separators = (2, None) if sys.stdout.isatty() else (None, (",", ":"))
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent, separators=separators, default=str) + "\n")


def print_json_list(texts: Iterable[str]) -> None:
    """A JSON list of objects given as compact text each (rules.findings_json): written as they come, a few
    thousand at a time, for a program; parsed and indented as print_json does on a terminal."""
    if sys.stdout.isatty():
        print_json([json.loads(text) for text in texts])
        return
    texts, write, opening = iter(texts), sys.stdout.write, "["
    while chunk := list(islice(texts, 5000)):
        write(opening + ",".join(chunk))
        opening = ","
    write("[]\n" if opening == "[" else "]\n")


_WHOLE = re.compile(r"[\x21-\x7e]+")  # a run of ASCII without spaces: an ID, phone, date, card number, command


def unbroken_width(text: str) -> int:
    """The widest value in a cell that must not be broken across lines (身份证号, phone, date, card number)."""
    return max((len(run) for run in _WHOLE.findall(text)), default=0)


def table(title: str | None, headers: Sequence[str], rows: Iterable[Sequence[Any]],
          caption: str | None = None, drop: Sequence[int] = ()) -> None:
    """A table whose ID, phone, date and number columns are never narrower than their longest value, so no
    value is split across lines; Chinese text columns wrap between characters instead. When the columns cannot
    fit the terminal, the columns in `drop` (least important first) are left out, and a note says which; when
    they still cannot fit, each row becomes a block (SPEC §9)."""
    from rich.cells import cell_len
    from rich.table import Table

    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max((unbroken_width(row[i]) for row in cells if i < len(row)), default=0) for i in range(len(headers))]
    words = lambda text: max((cell_len(w) for w in text.split()), default=0)  # noqa: E731 - rich wraps at spaces
    texts = [min(40, max([words(headers[i])] + [words(row[i]) for row in cells if i < len(row)]))
             for i in range(len(headers))]

    def fits(shown: list[int]) -> bool:  # each column its widest unbroken value (or a word), 3 for border and padding
        return sum(max(widths[j], texts[j]) + 3 for j in shown) + 1 <= out().width - 2

    def build(shown: list[int]) -> Table:
        grid = Table(title=title, caption=caption, header_style="bold", title_justify="left")
        for i in shown:
            grid.add_column(headers[i], overflow="fold", min_width=min(widths[i], 40) or None)
        for row in cells:
            grid.add_row(*(row[i] for i in shown))
        return grid

    shown, dropped = list(range(len(headers))), []
    for i in drop:
        if fits(shown):
            break
        shown.remove(i)
        dropped.append(headers[i])
    if not fits(shown):
        return blocks(title, headers, cells, caption)
    out().print(build(shown))
    if dropped:
        say(L.TABLE_DROPPED.format(columns="、".join(dropped)))


def blocks(title: str | None, headers: Sequence[str], cells: list[list[str]], caption: str | None = None) -> None:
    """A table too wide for the terminal, as one block per row: the first cell as its head, then each other cell
    as "header：value" on its own indented line. A row whose first cell is empty continues the block above."""
    if title:
        out().print(title, markup=False, style="bold")
    for row in cells:
        say("")
        if row[0]:
            out().print(row[0].replace("\n", " "), markup=False, style="bold", soft_wrap=True)
        for i, cell in enumerate(row[1:], 1):
            if cell:
                _message(out(), f"{headers[i]}：{cell}".replace("\n", " "), indent=2)
    if caption:
        say("")
        say(caption)


def block(head: str, lines: Iterable[str], indent: int = 2) -> None:
    """One record as a block: its head in bold, then each line indented (a wrapped line keeps the indent), for
    records whose cells would wrap into narrow columns in a table at 80 columns."""
    from rich.padding import Padding
    from rich.text import Text

    out().print(head, markup=False, style="bold")
    for line in lines:
        out().print(Padding(Text(line), (0, 0, 0, indent), expand=False))


def pairs(title: str, items: Iterable[tuple[str, Any]]) -> None:
    """A two-column table of label → value."""
    from rich.table import Table

    grid = Table(title=title, show_header=False, title_justify="left")
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in items:
        grid.add_row(label, "" if value is None else str(value))
    out().print(grid)


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """A progress bar over items when stdout is a terminal; the items unchanged otherwise."""
    if not sys.stdout.isatty():
        yield from items
        return
    from rich.progress import track

    yield from track(items, description=description, total=total, console=out(), transient=True)
