"""Issue 2: the command line's contract — exit codes, --db, --json keys, the schema, start-up, Chinese help."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import typer

from tests.conftest import snapshot
from tests.ids import make_id

# The exact schema a blank ledger gets: a new migration must update this on purpose.
SCHEMA = {
    "_sqlite_migrations": ["id", "migration_set", "name", "applied_at"],
    "branches": ["id", "name", "code", "committee", "home_province", "home_city", "since", "origin", "source",
                 "merged_at"],
    "card_reviews": ["id", "card_id", "reviewed_on", "reviewer", "result", "note", "void_reason", "voided_at"],
    "cards": ["id", "member_id", "outflow_id", "card_no", "issued_on", "committee", "voided_on", "void_reason",
              "batch_id"],
    "checkins": ["id", "member_id", "outflow_id", "org", "checked_in_on", "branch", "verified", "filed", "void_reason", "voided_at"],
    "contacts": ["id", "member_id", "contacted_on", "channel", "note", "void_reason", "voided_at"],
    "conversions": ["id", "member_id", "decided_on", "outcome", "new_end"],
    "dues": ["id", "member_id", "period", "amount_fen", "paid_on", "paid_to", "receipt", "batch_id", "void_reason", "voided_at"],
    "dues_standards": ["id", "member_id", "year", "kind", "base_fen", "monthly_fen", "set_on"],
    "feedback": ["id", "member_id", "sent_on", "note", "void_reason", "voided_at"],
    "group_members": ["id", "group_id", "member_id"],
    "groups": ["id", "name", "city", "leader_id", "formed_on"],
    "history": ["id", "at", "command", "table_name", "row_id", "member_id", "action", "old_values", "new_values",
                "batch_id", "tx_id"],
    "import_batches": ["id", "kind", "file_name", "file_hash", "imported_at", "rows_added", "rows_unchanged",
                       "rows_skipped", "undone_at"],
    "inflows": ["id", "member_id", "origin_org", "origin_card_no", "arrived_on", "branch", "verified_on", "ended_on"],
    "members": ["id", "id_number", "name", "gender", "birth_date", "phone", "category", "joined_on", "probation_ends",
                "quarterly", "status", "occupation", "notes", "added_on", "batch_id", "branch_id"],
    "merged_rows": ["id", "branch_id", "table_name", "source_id", "row_id"],
    "org_life": ["id", "member_id", "held_on", "kind", "place", "void_reason", "voided_at"],
    "outflow_changes": ["id", "outflow_id", "member_id", "changed_on", "fields", "new_values", "void_reason",
                        "voided_at"],
    "outflows": ["id", "member_id", "reason", "province", "city", "address", "employer", "unit_type", "left_on",
                 "expected_return", "phone", "fixed_place", "briefed", "ended_on", "end_kind", "inspected_on",
                 "summary", "batch_id"],
    "reports": ["id", "member_id", "reported_on", "kind", "summary", "batch_id", "void_reason", "voided_at"],
    "settings": ["key", "value"],
    "transactions": ["id", "at", "command", "reason", "undoes", "undone_by"],
    "transfers": ["id", "member_id", "to_org", "transferred_on", "void_reason", "voided_at", "batch_id"],
}


def test_blank_ledger_has_exact_schema(ledger):
    conn = sqlite3.connect(ledger)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    got = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    assert got == SCHEMA


# ---------------------------------------------------------------- exit codes and the ledger file

def test_missing_ledger_exits_3_for_every_command(cli, ledger_path):
    for args in (["info"], ["member", "list"], ["member", "show", "李明"], ["record-contact", "李明"],
                 ["group", "add", "--name", "a", "--city", "b", "--leader", "c"]):
        result = cli(*args)
        assert result.exit_code == 3, args
        assert "台账文件不存在" in result.stderr
    assert not ledger_path.exists()


def test_damaged_ledger_exits_3(cli, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a sqlite file at all \x00\xff" * 100)
    before = bad.read_bytes()
    for args in (["info"], ["member", "add", "--name", "李明", "--id", make_id()]):
        result = cli("--db", bad, *args)
        assert result.exit_code == 3
        assert "Traceback" not in result.stderr and str(bad) in result.stderr
    assert bad.read_bytes() == before


def test_newer_ledger_exits_3_and_is_not_altered(cli, ledger):
    conn = sqlite3.connect(ledger)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('flowparty', 'm999_future',"
                 " '2030-01-01')")
    conn.commit()
    conn.close()
    before, raw = snapshot(ledger), ledger.read_bytes()
    for args in (["info"], ["member", "add", "--name", "李明", "--id", make_id()]):
        result = cli(*args)
        assert result.exit_code == 3, result.stderr
        assert "Traceback" not in result.stderr
    assert snapshot(ledger) == before and ledger.read_bytes() == raw


def test_db_option_beats_environment(cli, ledger, tmp_path):
    other = tmp_path / "other.db"
    result = cli("--db", other, "init", "--branch", "白云村党支部", "--committee", "白云镇党委")
    assert result.exit_code == 0, result.stderr
    assert other.exists()
    assert json.loads(cli("--db", other, "info", "--json").stdout)["branch"] == "白云村党支部"
    assert json.loads(cli("info", "--json").stdout)["branch"] == "青山村党支部"


def test_init_refuses_to_overwrite(cli, ledger):
    before = ledger.read_bytes()
    result = cli("init", "--branch", "白云村党支部", "--committee", "白云镇党委")
    assert result.exit_code == 2
    assert str(ledger) in result.stderr
    assert ledger.read_bytes() == before


def test_init_writes_settings(cli, ledger):
    conn = sqlite3.connect(ledger)
    settings = dict(conn.execute("SELECT key, value FROM settings"))
    assert {k: settings[k] for k in ("branch", "committee", "code", "since")} == {
        "branch": "青山村党支部", "committee": "青山镇党委", "code": "3301", "since": "2025-01"}


# ---------------------------------------------------------------- --json

def test_json_outputs_have_stable_keys(cli, ledger):
    member = make_id("19850312", 3)
    assert cli("member", "add", "--name", "李明", "--id", member).exit_code == 0
    assert cli("register-outflow", "李明", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-03-01",
               "--briefed").exit_code == 0
    info = json.loads(cli("info", "--json").stdout_bytes.decode("utf-8"))
    assert set(info) == {"path", "schema_version", "branch", "committee", "code", "since", "report_months",
                         "members_by_status", "counts"}
    assert info["members_by_status"]["away"] == 1
    listing = cli("member", "list", "--json").stdout_bytes.decode("utf-8")
    assert "李明" in listing  # real UTF-8, not \u escapes
    [row] = json.loads(listing)
    assert {"id_number", "name", "gender", "birth_date", "phone", "category", "joined_on", "probation_ends",
            "quarterly", "status", "destination", "left_on", "reason", "employer", "card_no", "origin_org",
            "arrived_on"} <= set(row)
    assert row["destination"] == "浙江省 宁波市" and row["status"] == "away"
    detail = json.loads(cli("member", "show", "李明", "--json").stdout_bytes.decode("utf-8"))
    assert set(detail) == {"member", "outflows", "cards", "checkins", "dues", "reports", "contacts", "org_life",
                           "inflows", "feedback", "conversions", "transfers", "groups", "history", "timeline"}
    assert set(detail["dues"]) == {"months", "total_fen", "last_period", "payments"}
    assert {"at", "command", "table", "action", "old", "new"} <= set(detail["history"][0])


def test_json_is_compact_for_a_program_and_indented_on_a_terminal(cli, ledger):
    assert cli("member", "add", "--name", "李明", "--id", make_id(serial=1)).exit_code == 0
    assert cli("register-outflow", "李明", "--to", "浙江省 宁波市", "--reason", "务工", "--date", "2025-02-10").exit_code == 0
    for args, first in ((["rules", "--json"], '"code": "FP101"'),  # a list of dicts; the findings come as texts
                        (["audit", "--as-of", "2025-09-01", "--json", "--fail-on", "never"], '"code": "FP101"')):
        piped = cli(*args).stdout
        assert piped.count("\n") == 1 and first.replace(" ", "") in piped  # one line for a program
        text = _on_a_terminal(args)
        assert "\n  {\n    " + first in text  # indented for a person
        assert json.loads(text) == json.loads(piped)  # the same keys and structure either way


def _on_a_terminal(args: list[str]) -> str:
    """What the installed console script writes to a pseudo-terminal 80 columns wide."""
    import os
    import pty

    main, terminal = pty.openpty()
    try:
        done = subprocess.run([_console_script(), *args], stdout=terminal, stderr=subprocess.DEVNULL,
                              env={**os.environ, "COLUMNS": "80"}, timeout=60)
        os.close(terminal)
        shown = b""
        while chunk := _read(main):
            shown += chunk
    finally:
        os.close(main)
    assert done.returncode == 0
    return shown.decode("utf-8").replace("\r\n", "\n")


def _read(fd: int) -> bytes:
    import os

    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal's other end closed: everything was read
        return b""


def test_member_list_shows_the_first_20_and_says_how_many_it_left_out(cli, ledger):
    for serial in range(25):
        assert cli("member", "add", "--name", f"党员{serial:02d}", "--id", make_id(serial=serial)).exit_code == 0
    listing = cli("member", "list").stdout
    assert "共 25 人" in listing and "党员19" in listing and "党员20" not in listing
    assert "只列出前 20 人，另有 5 人未列出" in listing and "--all" in listing
    three = cli("member", "list", "--limit", "3").stdout
    assert "党员02" in three and "党员03" not in three and "另有 22 人未列出" in three
    everyone = cli("member", "list", "--all").stdout
    assert "党员24" in everyone and "未列出" not in everyone
    assert len(json.loads(cli("member", "list", "--json").stdout)) == 25  # --json is always whole


# ---------------------------------------------------------------- usage errors, help, start-up

def test_usage_errors_exit_2_in_chinese(cli, ledger):
    for args in (["--bogus"], ["member", "add", "--name", "李明"], ["record-dues"], ["no-such-command"]):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.stderr + result.stdout
        assert re.search(r"[\u4e00-\u9fff]", result.stderr), result.stderr


def _walk(command, path: str = ""):
    """Every command, group and parameter under the root, with its help text."""
    yield path or "flowparty", command.help
    for param in command.params:
        if param.name != "help":
            yield f"{path} {param.opts[0] if param.opts else param.name}".strip(), getattr(param, "help", None)
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _walk(sub, f"{path} {name}".strip())


def test_every_command_and_option_has_chinese_help():
    from flowparty.cli import app
    found = list(_walk(typer.main.get_command(app)))
    assert len(found) > 100
    missing = [name for name, text in found if not re.search(r"[\u4e00-\u9fff]", text or "")]
    assert missing == []


def test_help_of_every_command_runs(cli):
    from flowparty.cli import app
    for name in typer.main.get_command(app).commands:
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert re.search(r"[\u4e00-\u9fff]", result.stdout), name


def test_import_does_not_load_heavy_modules():
    code = ("import sys, flowparty.cli; heavy = [m for m in ('sqlite_utils', 'openpyxl', 'xlsxwriter', "
            "'python_calamine', 'rich.table') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _console_script() -> str:
    local = Path(sys.executable).parent / "flowparty"
    return str(local) if local.exists() else shutil.which("flowparty")


def test_console_script_version_and_help():
    script = _console_script()
    assert script, "flowparty console script not installed"
    from flowparty import __version__
    version = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and __version__ in version.stdout
    helped = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "流动党员" in helped.stdout
