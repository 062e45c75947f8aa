"""Settings, database creation and the train-only-when-needed rule."""

import os
import subprocess
import sys
import time
from datetime import time as clock

import pytest
from sqlalchemy import inspect

from bot import training
from bot.database import create_schema
from knowledge.core import settings
from knowledge.library import models as library_models
from knowledge.records import models as records_models


def test_defaults_need_no_outside_service(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "VAR", tmp_path / "var")
    s = settings.load({})
    assert s.database_url == f"sqlite:///{tmp_path / 'var' / 'assistant.db'}"
    assert (s.host, s.rasa_port, s.action_port, s.log_level) == ("127.0.0.1", 5005, 5055, "INFO")
    assert s.hotline_phone == ""


def test_environment_overrides_dot_env(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(
        "# local\nRASA_PORT=6000\nHOTLINE_PHONE='0919-1111111'\nLOG_LEVEL=debug\n", encoding="utf-8"
    )
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    s = settings.load({"RASA_PORT": "7000"})
    assert s.rasa_port == 7000
    assert s.hotline_phone == "0919-1111111"
    assert s.log_level == "DEBUG"
    assert s.rasa_url == "http://127.0.0.1:7000"


BAD_SETTINGS = [
    ("RASA_PORT", "abc"),
    ("ACTION_PORT", "0"),
    ("CONSOLE_PORT", "70000"),
    ("LOG_LEVEL", "LOUD"),
    ("REPORT_REPLY_DAYS", "两天"),
    ("STAFF_WEBHOOK_URL", "ftp://duty.example/hook"),
    ("OFFICE_HOURS", "9-5"),
    ("OFFICE_HOURS", "18:00-09:00"),
    ("OFFICE_DAYS", "8"),
]


@pytest.mark.parametrize("name, value", BAD_SETTINGS)
def test_a_setting_that_cannot_be_used_is_refused_by_name(name, value):
    with pytest.raises(settings.SettingsError, match=name):
        settings.load({name: value})


def test_office_hours_are_parsed_once_with_the_settings():
    loaded = settings.load({"OFFICE_HOURS": "08:30-12:00", "OFFICE_DAYS": "1,3"})
    assert (loaded.hours.opens, loaded.hours.closes, loaded.hours.days) == (clock(8, 30), clock(12), {0, 2})


# Every process that reads the settings stops on a bad one, naming it; the action server's
# only start-up hook is importing the actions, so it is started for real.
PROCESSES = {
    "launcher": [sys.executable, "-m", "bot", "init-db"],
    "console": [sys.executable, "-m", "bot.console"],
    "action server": [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", "1"],
}


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_every_process_stops_on_a_bad_setting_and_names_it(process, tmp_path):
    env = {**os.environ, "OFFICE_DAYS": "1-9", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    done = subprocess.run(PROCESSES[process], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "OFFICE_DAYS" in done.stdout + done.stderr
    assert not (tmp_path / "a.db").exists()


def test_create_schema_creates_the_sqlite_file_its_directory_and_every_table(tmp_path):
    path = tmp_path / "nested" / "assistant.db"
    engine = create_schema(f"sqlite:///{path}")
    assert path.exists()
    tables = set(library_models.Base.metadata.tables) | set(records_models.Base.metadata.tables)
    assert tables <= set(inspect(engine).get_table_names())


def _touch(path, mtime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_a_model_is_stale_when_missing_or_trained_from_other_inputs(tmp_path):
    now = time.time()
    _touch(tmp_path / "data" / "nlu" / "a.yml", now - 100)
    _touch(tmp_path / "config.yml", now - 100)
    model = tmp_path / "models" / "m.tar.gz"
    _touch(model, now - 50)
    assert training.is_stale(None, tmp_path)
    assert training.is_stale(model, tmp_path)  # no digest: unknown inputs
    training.digest_file(model).write_text(training.inputs_digest(tmp_path), encoding="utf-8")
    assert not training.is_stale(model, tmp_path)
    _touch(tmp_path / "config.yml", now - 200)  # only the time changed
    assert not training.is_stale(model, tmp_path)
    (tmp_path / "knowledge" / "core").mkdir(parents=True)
    (tmp_path / "knowledge" / "core" / "vocabulary.yml").write_text("y", encoding="utf-8")
    assert training.is_stale(model, tmp_path)
    training.digest_file(model).write_text(training.inputs_digest(tmp_path), encoding="utf-8")
    # The situation lexicon is stored in the model too.
    (tmp_path / "knowledge" / "core" / "situations.yml").write_text("z", encoding="utf-8")
    assert training.is_stale(model, tmp_path)


def test_newest_model_is_the_last_written(tmp_path):
    now = time.time()
    _touch(tmp_path / "old.tar.gz", now - 10)
    _touch(tmp_path / "new.tar.gz", now)
    assert training.newest_model(tmp_path).name == "new.tar.gz"
    assert training.newest_model(tmp_path / "none") is None


def test_allowed_origins_are_origins_and_never_a_wildcard():
    s = settings.load({"ALLOWED_ORIGINS": "https://www.tongchuan.gov.cn, http://localhost:8080/"})
    assert s.allowed_origins == ("https://www.tongchuan.gov.cn", "http://localhost:8080")
    for wrong in ("*", "www.tongchuan.gov.cn", "https://a.cn/widget", "ftp://a.cn"):
        with pytest.raises(settings.SettingsError, match="ALLOWED_ORIGINS"):
            settings.load({"ALLOWED_ORIGINS": wrong})


def test_public_mode_and_limits_are_read_and_checked():
    s = settings.load({"PUBLIC_MODE": "1", "MAX_BODY_BYTES": "131072", "TURNS_PER_MINUTE": "5"})
    assert (s.public_mode, s.max_body_bytes, s.sender_turns_per_minute) == (True, 131072, 5)
    assert settings.load({}).public_mode is False
    with pytest.raises(settings.SettingsError, match="PUBLIC_MODE"):
        settings.load({"PUBLIC_MODE": "maybe"})
    with pytest.raises(settings.SettingsError, match="MAX_BODY_BYTES"):
        settings.load({"MAX_BODY_BYTES": "10"})
