"""The two consoles (stdout for results, stderr for errors), tables, JSON and progress.

rich is imported on first use, so a command that prints nothing (or --version) does not pay for it.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence, TypeVar

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


def say(text: str) -> None:
    out().print(text, markup=False)


def done(text: str) -> None:
    out().print("✔ " + text, markup=False, style="green")


def warn(text: str) -> None:
    err().print("注意：" + text, markup=False, style="yellow")


def fail(error: FlowpartyError) -> None:
    """The one place an error reaches the clerk: '错误：…' on stderr, and the hint below it."""
    err().print("错误：" + error.message, markup=False, style="bold red")
    if error.hint:
        err().print(error.hint, markup=False)


def print_json(data: Any) -> None:
    """Machine-readable output: UTF-8, stable keys, no colour."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def table(title: str | None, headers: Sequence[str], rows: Iterable[Sequence[Any]],
          caption: str | None = None) -> None:
    from rich.table import Table

    grid = Table(title=title, caption=caption, header_style="bold", title_justify="left")
    for header in headers:
        grid.add_column(header, overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    out().print(grid)


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
