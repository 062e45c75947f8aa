"""Conversations from the blind dialogue dev set (tests/blind/dialogues_dev.yml), run as the
benchmark runs them (tests/bench/dialogues.py): each turn's expectations must hold. They
cover descriptions instead of category names, several fields at once, out-of-order answers,
corrections, a question and a status check mid-form, cancelling, a second report, a
malformed report id, subscriptions and an expert request. The test set stays unread."""

import pytest
import yaml

from knowledge.core.db import make_engine
from tests.bench.dialogues import DEV_PATH, Result, run_script

pytestmark = pytest.mark.e2e

SCRIPTS = {script["id"]: script for script in yaml.safe_load(DEV_PATH.read_text(encoding="utf-8"))["scripts"]}
CHOSEN = ["v01", "v02", "v03", "v09", "v12", "v13", "v21", "v26", "v29", "v36", "v41", "v44"]


@pytest.mark.parametrize("script_id", CHOSEN)
def test_a_dev_conversation_goes_through(servers, script_id):
    result = Result()
    engine = make_engine(servers.settings.database_url)
    try:
        run_script(servers.settings.rasa_url, engine, SCRIPTS[script_id], result, show=True)
    finally:
        engine.dispose()
    assert result.failed == [], f"{script_id}: {SCRIPTS[script_id]['about']}"
    assert result.repeated == []
