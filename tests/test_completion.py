"""Shell completion (SPEC §9): `flowparty completion bash|zsh` prints a script; with it, Tab completes commands
and member names. Driven through the installed console script, as the shell does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ids import make_id

BIN = Path(sys.prefix) / "bin"
FLOWPARTY = str(BIN / "flowparty")


def shell_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_FLOWPARTY")}
    return {**env, "PATH": f"{BIN}:{env.get('PATH', '/usr/bin:/bin')}", **extra}


def complete(words: str, cword: int, **extra: str) -> list[str]:
    """What the bash script's function asks flowparty for: COMP_WORDS, COMP_CWORD, _FLOWPARTY_COMPLETE."""
    run = subprocess.run([FLOWPARTY], env=shell_env(COMP_WORDS=words, COMP_CWORD=str(cword),
                                                    _FLOWPARTY_COMPLETE="complete_bash", **extra),
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return run.stdout.split()


@pytest.fixture
def members(cli, ledger):
    for name, seq in (("王建国", 11), ("王德福", 13), ("李秀英", 15)):
        assert cli("member", "add", "--name", name, "--id", make_id(serial=seq)).exit_code == 0
    return ledger


def test_bash_script_names_flowparty_and_the_completion_variable(cli):
    result = cli("completion", "bash")
    assert result.exit_code == 0
    assert "complete -o default -F _flowparty_completion flowparty" in result.stdout
    assert "_FLOWPARTY_COMPLETE=complete_bash $1" in result.stdout


def test_zsh_script_runs_the_command_as_typed(cli):
    result = cli("completion", "zsh")
    assert result.exit_code == 0
    assert result.stdout.startswith("#compdef flowparty")
    assert "_FLOWPARTY_COMPLETE=complete_zsh ${words[1]}" in result.stdout


def test_another_shell_is_refused_in_chinese(cli):
    result = cli("completion", "fish")
    assert result.exit_code == 2
    assert "命令行外壳“fish”不在可选范围内，可选：bash、zsh" in result.stderr


def test_completion_is_listed_under_maintenance_with_chinese_help(cli):
    assert "completion" in cli().stdout.split("台账维护", 1)[1]
    shown = cli("completion", "--help").stdout
    assert "命令补全脚本" in shown and "flowparty completion bash" in shown


def test_command_names_complete():
    assert complete("flowparty mem", 1) == ["member"]
    assert set(complete("flowparty re", 1)) >= {"register-outflow", "register-inflow", "record-dues", "return"}


def test_member_names_complete_from_the_ledger(members):
    assert complete("flowparty member show 王", 3) == ["王建国", "王德福"]
    assert complete("flowparty register-outflow 李", 2) == ["李秀英"]
    assert complete(f"flowparty --db {members} check-in 王建", 4, FLOWPARTY_DB="") == ["王建国"]


def test_no_ledger_offers_nothing_and_says_nothing(tmp_path):
    assert complete("flowparty member show 王", 3, FLOWPARTY_DB=str(tmp_path / "none.db")) == []


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_the_generated_script_completes_in_bash(members):
    """The whole path: bash evaluates the script, then its function runs as Tab would run it."""
    script = ('eval "$(flowparty completion bash)"\n'
              'COMP_WORDS=(flowparty mem); COMP_CWORD=1; _flowparty_completion flowparty\n'
              'echo "1:${COMPREPLY[*]}"\n'
              'COMP_WORDS=(flowparty member show 王); COMP_CWORD=3; _flowparty_completion flowparty\n'
              'echo "2:${COMPREPLY[*]}"\n')
    run = subprocess.run(["bash", "-c", script], env=shell_env(), capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["1:member", "2:王建国 王德福"]
