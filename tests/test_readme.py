"""The README's quick start works exactly as written in a fresh clone (SPEC §9), through bin/flowparty.

The blocks are taken from README.md itself and run by bash in a temporary folder laid out like a clone: the
launcher copied to bin/, and .venv pointing at the environment these tests run in (so nothing is installed
again). HOME is the temporary folder too, so the blocks' own ledger and links land there. The launcher's
first-run install is tested with a stand-in python3 that records what it was asked to do.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "bin" / "flowparty"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def blocks_of(section: str) -> list[str]:
    """The shell blocks of one README section (its heading, up to the next ## heading)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, flags=re.S)


def quick_start_blocks() -> list[str]:
    """The shell blocks of the README's 快速开始 section, except the developers' one (it runs pytest)."""
    return [block for block in blocks_of("## 快速开始") if "pytest" not in block]


def run_lines(root: Path, home: Path, blocks: list[str]) -> str:
    """Run each command line as the clerk would, one after another; each exits 0 (`audit` may exit 1 when it
    finds errors, SPEC §4) and prints no error. Returns what they printed."""
    said = ""
    for line in (line for block in blocks for line in block.splitlines()):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        run = subprocess.run(["bash", "-e", "-c", line], cwd=root, env=clerk_env(home), capture_output=True,
                             text=True, timeout=60)
        expected = (0, 1) if line.split("#")[0].split()[-1:] == ["audit"] else (0,)
        assert run.returncode in expected, (line, run.stdout, run.stderr)
        # stderr holds at most a warning (注意：…); an error, even from a command inside eval "$(…)", fails the test
        assert "错误" not in run.stderr and "Traceback" not in run.stderr, (line, run.stderr)
        said += run.stdout
    return said


def clone(tmp_path: Path) -> Path:
    """A folder laid out like a fresh clone whose launcher finds an installed .venv."""
    root = tmp_path / "clone"
    (root / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, root / "bin" / "flowparty")
    (root / ".venv").symlink_to(Path(sys.prefix))
    return root


def clerk_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWPARTY", "XDG_", "VIRTUAL_ENV"))}
    return {**env, "HOME": str(home), "COLUMNS": "80", **extra}


def test_quick_start_blocks_run_as_written(tmp_path: Path):
    """Each command line of the blocks exits 0; `audit` exits 1 when it finds errors (SPEC §4), as the demo's do."""
    root = clone(tmp_path)
    blocks = quick_start_blocks()
    assert blocks[0].strip() == "bin/flowparty demo" and len(blocks) >= 4
    said = run_lines(root, tmp_path, blocks)
    assert "青山村党支部" in said and "王建国" in said and "共发现" in said and CHINESE.search(said)
    # The demo suggests its next commands as the clerk started it, so they can be typed as shown.
    assert "  bin/flowparty --db flowparty-demo.db member list --status 外出   # 外出党员名单" in said
    assert (root / "flowparty-demo.db").exists() and (root / "示例.db").exists()
    assert (tmp_path / ".local" / "share" / "flowparty" / "ledger.db").exists()  # the init block's own ledger
    # The link the README suggests runs flowparty from any folder.
    linked = subprocess.run([str(tmp_path / ".local" / "bin" / "flowparty"), "--db", str(root / "flowparty-demo.db"),
                             "info"], cwd=tmp_path, env=clerk_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert linked.returncode == 0, linked.stderr
    assert "青山村党支部" in linked.stdout
    on_path = clerk_env(tmp_path, PATH=f"{tmp_path / '.local' / 'bin'}:{os.environ['PATH']}")
    demo = subprocess.run(["flowparty", "demo"], cwd=tmp_path, env=on_path, capture_output=True, text=True, timeout=60)
    assert demo.returncode == 0, demo.stderr
    assert "建立自己的台账：flowparty init" in demo.stdout  # on PATH: plain flowparty


def test_the_command_examples_run_as_written_after_the_quick_start(cli, tmp_path: Path, monkeypatch):
    """命令一览："下面的例子都已在一本新台账上实际运行过" — in order, on the ledgers the quick start makes. In-process
    (the shell and the launcher are the quick start's test), so fifty commands stay quick."""
    import shlex

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("FLOWPARTY_DB", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    [examples] = blocks_of("## 命令一览（示例）")
    quick = [line for block in quick_start_blocks() for line in block.splitlines() if " demo" in line or " init " in line]
    said = ""
    for line in quick + examples.splitlines():
        words = shlex.split(line, comments=True)
        while words:
            command, words = (words[:words.index("&&")], words[words.index("&&") + 1:]) if "&&" in words \
                else (words, [])
            assert command[0] == "bin/flowparty", line
            result = cli(*command[1:])
            assert result.exit_code in ((0, 1) if command[-1] == "audit" else (0,)), (line, result.stderr)
            said += result.stdout
    assert "王建国" in said and "年" in said
    assert (tmp_path / "台账.xlsx").exists() and (tmp_path / "乡镇汇总.db").exists()


def test_every_readme_example_names_the_launcher():
    """In the clerk's sections every command line starts with bin/flowparty, never a bare flowparty."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## Performance", 1)[0]
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            assert not re.match(r"\s*flowparty ", line), line
            assert "&& flowparty " not in line, line


FAKE_PYTHON = """#!/bin/sh
# Stands in for python3 and the venv's python: `-m venv DIR` makes DIR/bin/python (this script);
# `-m pip install -e HERE` writes DIR/bin/flowparty, a console script that says it ran.
echo "$0 $*" >> "$FAKE_LOG"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0
fi
if [ "$1 $2 $3" = "-m pip install" ]; then
    echo "WARNING: Location 'file:///opt/simple/' is ignored" >&2
    [ -n "$FAKE_PIP_FAILS" ] && echo "ERROR: No matching distribution found for typer" >&2 && exit 1
    bin=$(dirname "$0")
    printf '#!/bin/sh\\necho "运行 flowparty $*"\\n' > "$bin/flowparty" && chmod +x "$bin/flowparty"
    exit 0
fi
exit 9
"""


def fresh_clone_with_fake_python(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "clone"
    (root / "bin").mkdir(parents=True)
    shutil.copy2(LAUNCHER, root / "bin" / "flowparty")
    (root / "pyproject.toml").write_text("[project]\n")
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = clerk_env(tmp_path, PATH=f"{tools}:/usr/bin:/bin", FAKE_LOG=str(tmp_path / "log"))
    return root, env


def test_launcher_installs_on_first_run_then_only_runs(tmp_path: Path):
    root, env = fresh_clone_with_fake_python(tmp_path)
    first = subprocess.run(["bin/flowparty", "demo"], cwd=root, env=env, capture_output=True, text=True, timeout=30)
    assert first.returncode == 0, first.stderr
    assert "正在安装 flowparty" in first.stderr and "安装完成" in first.stderr
    assert "WARNING" not in first.stderr  # pip's English stays in its log unless the install fails
    assert first.stdout.strip() == "运行 flowparty demo"
    log = (tmp_path / "log").read_text()
    assert "-m venv" in log and f"-m pip install --quiet --disable-pip-version-check -e {root}" in log
    second = subprocess.run(["bin/flowparty", "audit", "--json"], cwd=root, env=env, capture_output=True, text=True,
                            timeout=30)
    assert second.returncode == 0 and second.stderr == ""
    assert second.stdout.strip() == "运行 flowparty audit --json"
    assert (tmp_path / "log").read_text() == log  # nothing installed the second time


def test_launcher_says_in_chinese_when_the_install_fails_and_tries_again_next_time(tmp_path: Path):
    root, env = fresh_clone_with_fake_python(tmp_path)
    failed = subprocess.run(["bin/flowparty", "demo"], cwd=root, env={**env, "FAKE_PIP_FAILS": "1"},
                            capture_output=True, text=True, timeout=30)
    assert failed.returncode == 3
    assert "安装 flowparty 失败" in failed.stderr and "install.log" in failed.stderr
    assert "No matching distribution found for typer" in failed.stderr  # why, in pip's words
    again = subprocess.run(["bin/flowparty", "demo"], cwd=root, env=env, capture_output=True, text=True, timeout=30)
    assert again.returncode == 0 and again.stdout.strip() == "运行 flowparty demo"


@pytest.mark.skipif(not shutil.which("dash"), reason="dash is the strict POSIX sh to check the launcher with")
def test_launcher_is_posix_sh(tmp_path: Path):
    root, env = fresh_clone_with_fake_python(tmp_path)
    run = subprocess.run(["dash", "bin/flowparty", "info"], cwd=root, env=env, capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "运行 flowparty info"
