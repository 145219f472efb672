"""The first path a clerk walks: init, add a member, register the outflow, see it in the roster."""

from tests.ids import make_id


def test_init_add_outflow_list(cli, ledger):
    member_id = make_id("19850312", 3)
    assert cli("member", "add", "--name", "李明", "--id", member_id, "--joined", "2010-07-01").exit_code == 0
    result = cli("register-outflow", "李明", "--to", "浙江省 宁波市 北仑区", "--reason", "务工", "--date", "2025-03-01", "--briefed")
    assert result.exit_code == 0, result.stderr
    assert "已为 李明 做外出登记：浙江省 宁波市 北仑区。" in result.stdout
    listing = cli("member", "list", "--status", "away")
    assert "李明" in listing.stdout and member_id in listing.stdout


def test_command_on_missing_ledger_exits_3(cli, ledger_path):
    result = cli("member", "list")
    assert result.exit_code == 3
    assert "台账文件不存在" in result.stderr
    assert not ledger_path.exists()
