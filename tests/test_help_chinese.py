"""Issue #14, every word in Chinese: each help page at 80 columns, did-you-mean, Chinese choices and sub-command
names, the examples, rule names on screen and in the township's workbook, history in Chinese field names."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flowparty import labels as L
from flowparty.cli import app
from flowparty.usage import ChineseCommand, ChineseGroup, display_width, wrap

ROOT = typer.main.get_command(app)


def _commands(command=ROOT, path: tuple[str, ...] = ()):
    """(path, command) for the root, every group and every command under it."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


ALL = list(_commands())
NAMES = {name for path, _ in ALL for name in path} | {alias for aliases in L.COMMAND_ALIASES.values()
                                                      for alias in aliases}
# Words that are not English prose: the program, its environment variable, formats and the programs that
# read them, and the setting keys the clerk types after `settings set`.
ALLOWED = {"flowparty", "FLOWPARTY_DB", "FLOWPARTY_DEBUG", "JSON", "CSV", "UTF-8", "GBK", "GB18030", "Excel",
           "WPS", "SQLite", "xlsx", "xls", "ods", "csv", "db", "Tab", "bash", "zsh"}  # a key's name, shells typed as choices


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _flat(text: str) -> str:
    """The help page with its lines joined again, to look for a phrase wherever it was wrapped."""
    return re.sub(r"\n\s*", "", text)


def _english(text: str) -> list[str]:
    """The English words of a help page, once command names, options, codes and file names are taken out."""
    from flowparty.settings import catalog

    body = text.split(f"\n{L.HELP_EXAMPLES}：\n")[0]
    allowed = ALLOWED | NAMES | {s.key for s in catalog()}
    words = re.findall(r"(?<![\w.-])-{0,2}[A-Za-z][\w.-]*", body)
    return [w for w in words if not w.startswith("-") and w.strip(".-") not in allowed
            and not re.fullmatch(r"FP\d+", w) and not re.fullmatch(r"\w+\.(xlsx|xls|ods|csv|db)", w)]


def test_every_group_and_command_is_chinese():
    wrong = [" ".join(path) for path, command in ALL if not isinstance(command, (ChineseCommand, ChineseGroup))]
    assert wrong == []


@pytest.mark.parametrize("path", [path for path, _ in ALL], ids=lambda p: " ".join(p) or "flowparty")
def test_help_has_no_english_and_fits_80_columns(path):
    text = _help(*path)
    assert text.startswith(L.HELP_USAGE)
    assert _english(text) == []
    assert [line for line in text.splitlines() if display_width(line) > 80] == []
    for english in ("Usage", "Options", "Commands", "Show this message", "default:", "<str>", "<int>", "<path>",
                    "list[", "{", "MEMBER", "PATH", "INTEGER"):
        assert english not in text, (path, english)


def test_defaults_and_choices_are_shown_in_chinese():
    audit = _flat(_help("audit"))
    assert "<级别>" in audit and "错误、警告、提示、从不" in audit and "［默认：错误］" in audit
    dues = _flat(_help("record-dues"))
    assert "--to <本支部/流入地>" in dues and "［默认：本支部］" in dues and "［必填］" in dues
    assert "外出、在家、外来、已转出" in _flat(_help("member", "list"))
    assert "<党员>" in _help("issue-card") and "--date <日期>" in _help("issue-card")
    assert "members 名册" in _help("import") and "findings 问题" in _help("export")


def test_every_command_ends_with_examples_that_parse():
    for path, command in ALL:
        examples = L.EXAMPLES.get(" ".join(path))
        assert examples and 1 <= len(examples) <= 2, path
        text = _help(*path)
        assert text.rstrip().endswith(examples[-1]), path
        for example in examples:
            assert display_width(example) <= 76, example
            _parse(example)
    assert set(L.EXAMPLES) == {" ".join(path) for path, _ in ALL}


def _parse(example: str) -> None:
    """Run the parser, not the command, over an example: every name, option and required value must be right."""
    words = shlex.split(example)
    assert words[0] == "flowparty"
    command, ctx, args = ROOT, None, words[1:]
    while True:
        ctx = command.make_context(command.name if ctx is None else name, args, parent=ctx,
                                   resilient_parsing=False)
        if not isinstance(command, ChineseGroup) or not ctx._protected_args + ctx.args:
            return
        name, command, args = command.resolve_command(ctx, ctx._protected_args + ctx.args)


def test_wrapping_never_breaks_a_value():
    text = "请核对身份证号 511321198503120115 和日期 2026-03-01、活动证编号 3301-2026-0001，再用 flowparty member show 查看。"
    for width in range(20, 60):
        lines = wrap(text, width).splitlines()
        for value in ("511321198503120115", "2026-03-01、", "3301-2026-0001，", "flowparty"):
            assert any(value in line for line in lines), (width, lines)
        assert all(display_width(line) <= width or " " not in line.strip() for line in lines)
        assert not any(line.startswith(("，", "。", "、")) for line in lines)


# ---------------------------------------------------------------- the parser's words


def test_misspelled_command_suggests_in_chinese(cli):
    result = cli("registr")
    assert result.exit_code == 2
    assert "没有命令“registr”。您是不是要：" in result.stderr and "register-outflow" in result.stderr
    assert "Did you mean" not in result.stderr and "'" not in result.stderr
    sub = cli("member", "lis")
    assert sub.exit_code == 2 and "您是不是要：list" in sub.stderr
    option = cli("member", "list", "--stat", "away")
    assert option.exit_code == 2 and "您是不是要：--status" in option.stderr


def test_missing_argument_is_named_by_its_word(cli, ledger):
    result = cli("issue-card")
    assert result.exit_code == 2 and "缺少必填项 <党员>" in result.stderr


# ---------------------------------------------------------------- Chinese choices and sub-command names


def _member_away(cli):
    assert cli("member", "add", "--name", "王建国", "--id", "511321198503120115", "--joined", "2010-07-01").exit_code == 0
    assert cli("member", "add", "--name", "张伟", "--id", "511321199201010417", "--joined", "2015-06-01").exit_code == 0
    assert cli("register-outflow", "王建国", "--to", "浙江省 宁波市 北仑区", "--reason", "务工",
               "--date", "2025-03-01").exit_code == 0


def test_member_list_status_in_chinese_is_the_same_as_english(cli, ledger):
    _member_away(cli)
    chinese, english = cli("member", "list", "--status", "外出", "--json"), cli("member", "list", "--status", "away", "--json")
    assert chinese.exit_code == english.exit_code == 0
    assert chinese.stdout == english.stdout and "王建国" in chinese.stdout and "张伟" not in chinese.stdout
    bad = cli("member", "list", "--status", "出差")
    assert bad.exit_code == 2 and "在家、外出、外来、已转出" in bad.stderr and "away" not in bad.stderr


def test_audit_fail_on_in_chinese(cli, ledger):
    _member_away(cli)
    assert cli("audit", "--as-of", "2025-09-01", "--fail-on", "从不").exit_code == 0
    assert cli("audit", "--as-of", "2025-09-01", "--fail-on", "错误").exit_code == 1
    assert cli("audit", "--as-of", "2025-09-01").exit_code == 1
    bad = cli("audit", "--fail-on", "有时")
    assert bad.exit_code == 2 and "--fail-on" in bad.stderr and "错误、警告、提示、从不" in bad.stderr


def test_dues_to_in_chinese(cli, ledger):
    _member_away(cli)
    assert cli("record-dues", "王建国", "--period", "2025-03", "--amount", "3", "--to", "流入地",
               "--date", "2025-03-05").exit_code == 0
    row = sqlite3.connect(ledger).execute("SELECT paid_to FROM dues").fetchone()
    assert row == ("inflow",)


def test_import_by_chinese_name(cli, ledger, tmp_path: Path):
    sheet = tmp_path / "名册.csv"
    sheet.write_text("姓名,身份证号,入党日期\n王建国,511321198503120115,2010-07-01\n", encoding="utf-8")
    result = cli("import", "名册", sheet)
    assert result.exit_code == 0, result.stderr
    assert "王建国" in cli("member", "list").stdout
    template = tmp_path / "模板.xlsx"
    assert cli("import", "template", "登记簿", template).exit_code == 0 and template.exists()


# ---------------------------------------------------------------- rule names, history, settings


def test_rules_show_chinese_names(cli):
    text = cli("rules").stdout
    assert "活动证逾期未年审" in text and "card-review-overdue" not in text
    explained = cli("rules", "explain", "card-review-overdue").stdout
    assert "FP102 活动证逾期未年审" in explained


def test_findings_sheet_has_chinese_rule_names(cli, ledger, tmp_path: Path):
    from openpyxl import load_workbook

    _member_away(cli)
    for args in (("audit", "--as-of", "2025-09-01", "--fail-on", "从不", "--xlsx", tmp_path / "a.xlsx"),
                 ("export", "问题", "--xlsx", tmp_path / "b.xlsx", "--as-of", "2025-09-01")):
        assert cli(*args).exit_code == 0
        sheet = load_workbook(args[-1] if args[0] == "audit" else args[3], read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][0] == "FP101" and rows[1][1] == L.RULE_TEXT["FP101"]["title"]
        assert not any(re.fullmatch(r"[a-z]+(-[a-z]+)+", str(row[1])) for row in rows[1:])
    selected = cli("audit", "--as-of", "2025-09-01", "--select", "card-missing", "--fail-on", "never", "--json")
    assert {f["code"] for f in json.loads(selected.stdout)} == {"FP101"}


def test_history_uses_chinese_names_and_yuan(cli, ledger):
    _member_away(cli)
    assert cli("dues-standard", "王建国", "--year", "2025", "--salary", "4000", "--date", "2025-01-05").exit_code == 0
    shown = cli("history").stdout
    assert "新增党费标准" in shown and "计算基数 4000.00元" in shown and "工资收入" in shown
    for english in ("dues_standards", "base_fen", "monthly_fen", "set_on", "created_on", "salary"):
        assert english not in shown, english


def test_every_table_and_column_has_a_chinese_name(ledger):
    internal = {"_sqlite_migrations", "history", "transactions", "import_batches", "merged_rows"}
    conn = sqlite3.connect(ledger)
    missing = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        if table in internal or table.startswith("sqlite_"):
            continue
        if table not in L.TABLE_NAMES:
            missing.append(table)
        missing += [f"{table}.{c[1]}" for c in conn.execute(f"PRAGMA table_info({table})")
                    if c[1] != "id" and not c[1].endswith("_id") and c[1] not in L.COLUMN_NAMES]
    assert missing == []


def test_every_setting_in_history_has_a_chinese_name(cli, ledger):
    from flowparty.settings import catalog

    keys = [r[0] for r in sqlite3.connect(ledger).execute("SELECT key FROM settings")]
    named = {s.key for s in catalog()} | set(L.SETTING_NAMES_RT)
    assert [k for k in keys if k not in named] == []
    assert "created_on" not in cli("history").stdout
