"""Messages on the clerk's screen (SPEC §9): on a terminal they wrap where Chinese text may break, never inside a
command, an option or an ID; written to a file or a pipe they are not wrapped at all."""

from __future__ import annotations

import re

from flowparty import labels as L
from flowparty.text import display_width
from tests.test_asking import Terminal, env

OWN_LEDGER = L.DEMO_OWN.format(prog="flowparty")


def test_demo_on_an_80_column_terminal_breaks_no_command_or_option(tmp_path):
    term = Terminal("--db", str(tmp_path / "示例.db"), "demo", env=env(tmp_path / "unused.db"))
    term.expect("建立自己的台账")
    assert term.finish() == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", term.seen)
    commands = "  flowparty "  # the suggested commands are whole lines, to be copied (the terminal folds them)
    assert [line for line in shown.splitlines() if display_width(line) > 80 and not line.startswith(commands)] == []
    for option in ("--branch", "--committee", "--province", "--city"):
        assert re.search(rf"(^|\s){option}(\s|$)", shown, re.M), option


def test_demo_into_a_pipe_keeps_each_message_on_one_line(cli, tmp_path):
    result = cli("--db", str(tmp_path / "示例.db"), "demo")
    assert result.exit_code == 0
    assert OWN_LEDGER in result.stdout.splitlines()
