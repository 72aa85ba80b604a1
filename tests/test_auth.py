"""Logins: where they come from, and guessing slowed down per client only."""
from __future__ import annotations

import pytest

from studio.auth import LoginGuard, load_users
from studio.errors import ConfigError


def test_users_come_from_env_file_and_flag(tmp_path):
    f = tmp_path / "logins"
    f.write_text("# team\nann:secret1\nbob:pa:ss\n")
    users = load_users("cli:pw", str(f), environ={"STUDIO_AUTH": "env:x,env2:y"})
    assert users == {"env": "x", "env2": "y", "ann": "secret1", "bob": "pa:ss", "cli": "pw"}
    with pytest.raises(ConfigError) as e:
        load_users("nocolon", environ={})
    assert e.value.code == "auth_no_colon" and "nocolon"[:20] in str(e.value)
    with pytest.raises(ConfigError) as e:
        load_users("", str(tmp_path / "missing"), environ={})
    assert e.value.code == "auth_file"


def test_sixth_wrong_password_waits_while_others_log_in_at_once():
    now = [0.0]
    guard = LoginGuard({"ann": "right"}, clock=lambda: now[0])
    for _ in range(5):
        assert guard.delay("attacker", "ann") == 0.0
        assert not guard.check("attacker", "ann", "wrong")
    assert guard.delay("attacker", "ann") > 0   # the 6th try within a minute is delayed
    assert not guard.check("attacker", "ann", "wrong")
    assert guard.delay("attacker", "ann") > 1.0  # and the delay grows
    assert guard.delay("colleague", "ann") == 0.0  # another client is not slowed down
    assert guard.check("colleague", "ann", "right")
    now[0] += 61                                # a minute later the slate is clean
    assert guard.delay("attacker", "ann") == 0.0


def test_empty_or_unknown_user_never_logs_in():
    guard = LoginGuard({"ann": "pw"})
    assert not guard.check("c", "nobody", "")
    assert not guard.check("c", "ann", "")
    assert guard.check("c", "ann", "pw")
