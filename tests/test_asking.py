"""Asking instead of failing (SPEC §9): on a terminal a recording command missing a required value asks for it
in Chinese, offering the choices, shows what it will write and asks before writing; without a terminal it fails
with exit 2 as before. The terminal is a real pseudo-terminal running the installed console script."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import select
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.ids import make_id

FLOWPARTY = str(Path(sys.prefix) / "bin" / "flowparty")
WANG = make_id(serial=11)


class Terminal:
    """The console script on an 80-column pseudo-terminal: wait for text, type a line, collect the exit code."""

    def __init__(self, *args: str, env: dict[str, str]):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the terminal is its stdin, stdout and stderr
            os.execve(FLOWPARTY, [FLOWPARTY, *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.seen = ""
        self.pos = 0
        self._bytes = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError as error:  # EIO: the child has closed the terminal
            if error.errno != errno.EIO:
                raise
            return False
        if not chunk:
            return False
        self._bytes += chunk
        self.seen = self._bytes.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 20) -> None:
        """Wait until the text is shown after what an earlier expect matched."""
        deadline = time.monotonic() + timeout
        while text not in self.seen[self.pos:]:
            if time.monotonic() > deadline or not self._read(0.2):
                raise AssertionError(f"{text!r} not shown; the terminal shows:\n{self.seen}")
        self.pos = self.seen.index(text, self.pos) + len(text)

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\r").encode())

    def finish(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture
def wang(cli, ledger):
    assert cli("member", "add", "--name", "王建国", "--id", WANG).exit_code == 0
    return ledger


def env(ledger: Path) -> dict[str, str]:
    return {**os.environ, "FLOWPARTY_DB": str(ledger), "TERM": "xterm", "COLUMNS": "80"}


def outflows(ledger: Path) -> list[tuple]:
    conn = sqlite3.connect(ledger)
    try:
        return conn.execute("SELECT province, city, address, reason FROM outflows").fetchall()
    finally:
        conn.close()


def test_missing_values_are_asked_for_then_shown_and_written_when_confirmed(wang):
    term = Terminal("register-outflow", "王建国", "--date", "2026-03-01", env=env(wang))
    term.expect("外出地点（")
    term.type("浙江省 宁波市 北仑区新碶街道")
    term.expect("外出原因（务工/经商/就学/居住/其他）：")
    term.type("务工")
    term.expect("将要写入（flowparty register-outflow）：")
    term.expect("写入吗？[y/N]")
    assert "党员：王建国" in term.seen and "外出原因：务工" in term.seen and "日期：2026-03-01" in term.seen
    assert ('下次可以一次输入：flowparty register-outflow 王建国 --date 2026-03-01 --to "浙江省 宁波市 北仑区新碶街道"'
            " --reason 务工") in term.seen
    term.type("是")
    term.expect("已为 王建国 做外出登记")
    assert term.finish() == 0
    assert outflows(wang) == [("浙江省", "宁波市", "北仑区新碶街道", "务工")]


def test_answering_no_writes_nothing(wang):
    before = snapshot(wang)
    term = Terminal("register-outflow", "王建国", "--to", "浙江省 宁波市 北仑区", env=env(wang))
    term.expect("外出原因（务工/经商/就学/居住/其他）：")
    term.type("经商")
    term.expect("写入吗？[y/N]")
    term.type("否")
    term.expect("没有写入任何内容。")
    assert term.finish() == 0
    assert snapshot(wang) == before


def test_enter_alone_at_the_question_is_no(wang):
    before = snapshot(wang)
    term = Terminal("--db", str(wang), "register-outflow", "王建国", "--reason", "务工", env=env(wang))
    term.expect("外出地点（")
    term.type("浙江省 宁波市")
    term.expect("下次可以一次输入：flowparty --db " + str(wang) + ' register-outflow 王建国 --reason 务工 --to "浙江省 宁波市"')
    term.expect("写入吗？[y/N]")
    term.type("")
    term.expect("没有写入任何内容。")
    assert term.finish() == 0
    assert snapshot(wang) == before


def test_a_missing_member_is_asked_for_too_and_an_empty_answer_asked_again(wang):
    term = Terminal("record-contact", "--channel", "微信", "--date", "2026-03-01", env=env(wang))
    term.expect("党员（身份证号，或台账中唯一的姓名）：")
    term.type("")
    term.expect("不能为空，请重新输入")
    term.type(WANG)
    term.expect("写入吗？[y/N]")
    term.type("y")
    assert term.finish() == 0
    conn = sqlite3.connect(wang)
    assert conn.execute("SELECT channel, contacted_on FROM contacts").fetchall() == [("微信", "2026-03-01")]
    conn.close()


def test_a_complete_command_on_a_terminal_writes_without_asking(wang):
    term = Terminal("record-contact", "王建国", "--channel", "电话", "--date", "2026-03-01", env=env(wang))
    assert term.finish() == 0
    assert "已登记与 王建国 的联系（电话）" in term.seen and "写入吗" not in term.seen


def test_a_bad_answer_is_refused_like_a_bad_option(wang):
    before = snapshot(wang)
    term = Terminal("register-outflow", "王建国", "--to", "浙江省 宁波市 北仑区", env=env(wang))
    term.expect("外出原因（")
    term.type("打工")
    term.expect("写入吗？[y/N]")
    term.type("y")
    term.expect("外出原因“打工”不在可选范围内")
    assert term.finish() == 2
    assert snapshot(wang) == before


def test_end_of_input_at_a_question_cancels(wang):
    before = snapshot(wang)
    term = Terminal("register-outflow", "王建国", env=env(wang))
    term.expect("外出地点（")
    os.write(term.fd, b"\x04")  # Ctrl-D
    assert term.finish() == 1
    assert snapshot(wang) == before


def test_without_a_terminal_a_missing_value_still_fails_with_exit_2(wang):
    before = snapshot(wang)
    run = subprocess.run([FLOWPARTY, "register-outflow", "王建国", "--to", "浙江省 宁波市 北仑区"], env=env(wang),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert "--reason" in run.stderr and "错误" in run.stderr
    assert "外出原因（" not in run.stdout
    assert snapshot(wang) == before


def test_in_process_runner_is_not_a_terminal(cli, wang):
    result = cli("register-outflow", "王建国")
    assert result.exit_code == 2
    assert "--to" in result.stderr
