"""Settings, database creation and the train-only-when-needed rule."""

import os
import time

from sqlalchemy import inspect

from bot import training
from knowledge import db, settings


def test_defaults_need_no_outside_service(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "ROOT", tmp_path)
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


def test_init_db_creates_the_sqlite_file_and_its_directory(tmp_path):
    path = tmp_path / "nested" / "assistant.db"
    engine = db.init_db(f"sqlite:///{path}")
    assert path.exists()
    assert set(db.Base.metadata.tables) <= set(inspect(engine).get_table_names())


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
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "vocabulary.yml").write_text("y", encoding="utf-8")
    assert training.is_stale(model, tmp_path)


def test_newest_model_is_the_last_written(tmp_path):
    now = time.time()
    _touch(tmp_path / "old.tar.gz", now - 10)
    _touch(tmp_path / "new.tar.gz", now)
    assert training.newest_model(tmp_path).name == "new.tar.gz"
    assert training.newest_model(tmp_path / "none") is None
