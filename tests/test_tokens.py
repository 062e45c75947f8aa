"""The shared secrets and owner-only files (knowledge/core/tokens.py, files.py, db.py)."""

import os
import stat
import threading
from dataclasses import replace

from knowledge.core import settings as settings_module
from knowledge.core.db import make_engine
from knowledge.core.tokens import SECRET_FILES, bearer, same_secret, stored_secret, with_secrets


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_unset_secrets_are_made_once_owner_only_and_reused(tmp_path):
    directory = tmp_path / "var"
    first = with_secrets(settings_module.load({}), directory)
    again = with_secrets(settings_module.load({}), directory)
    assert mode(directory) == 0o700
    for name, file in SECRET_FILES.items():
        assert len(getattr(first, name)) >= 40 and getattr(first, name) == getattr(again, name)
        assert mode(directory / file) == 0o600
    assert len({getattr(first, name) for name in SECRET_FILES}) == len(SECRET_FILES)


def test_a_configured_secret_is_used_and_not_written(tmp_path):
    configured = with_secrets(settings_module.load({"RASA_TOKEN": "from-env"}), tmp_path)
    assert configured.rasa_token == "from-env"
    assert not (tmp_path / "rasa-token").exists()


def test_processes_starting_together_get_one_secret(tmp_path):
    found: list = []
    threads = [threading.Thread(target=lambda: found.append(stored_secret(tmp_path / "t"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and found[0]


def test_secrets_compare_whole_and_never_match_an_empty_one():
    assert same_secret("abc", "abc")
    assert not same_secret("ab", "abc") and not same_secret("abcd", "abc") and not same_secret("", "")
    assert not same_secret("é", "abc")
    assert bearer("Bearer abc") == "abc" and bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") == "" and bearer("abc") == ""


def test_a_sqlite_database_is_owner_only_even_when_it_was_not(tmp_path):
    database = tmp_path / "new" / "a.db"
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600 and mode(database.parent) == 0o700
    old = tmp_path / "old.db"
    old.touch()
    os.chmod(old, 0o644)
    engine = make_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    assert mode(old) == 0o600


def test_the_settings_of_a_deployment_keep_their_secrets(tmp_path):
    given = replace(settings_module.load({}), staff_token="s", rasa_token="r", action_token="a")
    filled = with_secrets(given, tmp_path)
    assert (filled.staff_token, filled.rasa_token, filled.action_token) == ("s", "r", "a")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["channel-token", "session-secret"]
