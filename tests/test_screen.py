"""Messages on the clerk's screen (SPEC §9): on a terminal they wrap where Chinese text may break, never inside a
command, an option or an ID; written to a file or a pipe they are not wrapped at all."""

from __future__ import annotations

import json
import re

import pytest

from flowparty import labels as L
from flowparty import ui
from flowparty.parse import mask_id
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


@pytest.fixture
def width(monkeypatch):
    """Set the terminal width the console reads when it is made (it is made once per process)."""
    def set_width(columns: int) -> None:
        monkeypatch.setenv("COLUMNS", str(columns))
        ui.out.cache_clear()

    yield set_width
    ui.out.cache_clear()


def _demo(cli, tmp_path):
    ledger = tmp_path / "示例.db"
    assert cli("--db", str(ledger), "demo").exit_code == 0
    return ledger


def test_an_audit_too_wide_for_80_columns_is_one_block_per_finding_with_nothing_broken(cli, tmp_path, width):
    ledger = _demo(cli, tmp_path)
    width(80)
    shown = cli("--db", str(ledger), "audit", "--as-of", "2026-12-01").stdout
    findings = json.loads(cli("--db", str(ledger), "audit", "--as-of", "2026-12-01", "--json").stdout)
    for f in findings:
        assert f"{L.AUDIT_HEADERS[2]}：{f['code']} {L.RULE_TEXT[f['code']]['title']}" in shown
        assert f"{L.AUDIT_HEADERS[5]}：{f['hint']}" in shown  # the hint's command whole, on its line
        if f["member"]:
            assert f"{f['member']['name']} {mask_id(f['member']['id_number'])}" in shown


def test_an_audit_on_a_wide_terminal_is_a_table(cli, tmp_path, width):
    ledger = _demo(cli, tmp_path)
    width(220)
    shown = cli("--db", str(ledger), "audit").stdout
    assert "┃ 党员" in shown and "┃ 处理建议" in shown


def test_the_audit_on_an_80_column_terminal_fits_and_keeps_ids_and_commands_whole(cli, tmp_path):
    ledger = _demo(cli, tmp_path)
    term = Terminal("--db", str(ledger), "audit", "--as-of", "2026-12-01", env=env(ledger))
    term.expect("共发现")
    term.finish()
    shown = re.sub(r"\x1b\[[0-9;]*m", "", term.seen)
    assert [line for line in shown.splitlines() if display_width(line) > 80] == []
    assert re.findall(r"\d{6}\*{8}\d{3}[\dX]", shown)  # masked 身份证号, whole
    assert not re.search(r"\d{6}\*+\n", shown) and "flowparty record-contact" in shown
