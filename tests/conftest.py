"""Shared fixtures: every test gets its own ledger file; nothing touches a real one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowparty.cli import app


@pytest.fixture(autouse=True)
def ledger_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FLOWPARTY_DB points at a fresh path in the test's own directory; a wide terminal keeps lines whole."""
    path = tmp_path / "ledger.db"
    monkeypatch.setenv("FLOWPARTY_DB", str(path))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FLOWPARTY_DEBUG", raising=False)
    return path


@pytest.fixture
def cli():
    """Run the command line in-process: cli("member", "list") -> Result with exit_code, stdout, stderr."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def ledger(cli, ledger_path: Path) -> Path:
    """An initialised ledger, complete since 2025-01, branch code 3301."""
    result = cli("init", "--branch", "青山村党支部", "--committee", "青山镇党委", "--code", "3301", "--since", "2025-01",
                 "--province", "四川省", "--city", "南充市")
    assert result.exit_code == 0, result.stderr
    return ledger_path


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table: compare two snapshots to prove a refused command wrote nothing."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


@pytest.fixture
def unchanged(ledger_path: Path):
    """with unchanged(): ... asserts the ledger file's rows are the same after the block."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = snapshot(ledger_path)
        yield
        assert snapshot(ledger_path) == before

    return check
