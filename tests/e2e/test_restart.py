"""Conversations survive a restart of the Rasa server (tracker store on PostgreSQL)."""

import os

import pytest
import requests

from bot.database import prepare_database
from bot.processes import Servers
from tests.e2e.conftest import Chat, make_settings

pytestmark = pytest.mark.e2e

# The machine's PostgreSQL (trust auth); CI runs on the same kind of machine.
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="module")
def postgres_servers(model, tmp_path_factory):
    settings = make_settings(POSTGRES_URL)
    prepare_database(settings.database_url)
    servers = Servers(settings, model, tmp_path_factory.mktemp("restart") / "logs")
    servers.start()
    yield servers
    servers.stop()


def restart_rasa(servers: Servers) -> None:
    servers.stop(["rasa"])
    servers.start_rasa()
    servers.wait_ready()


def test_conversation_continues_after_the_rasa_server_restarts(postgres_servers):
    chat = Chat(postgres_servers.settings.rasa_url)
    assert "不太确定" in " ".join(r["text"] for r in chat.say("/nlu_fallback"))

    postgres_servers.stop(["rasa"])
    with pytest.raises(requests.ConnectionError):
        chat.say("你好")
    restart_rasa(postgres_servers)

    events = chat.tracker()["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["/nlu_fallback"]
    # The second miss in a row is recognised as such: the action server saw the
    # turn from before the restart.
    assert "还是没能理解" in " ".join(r["text"] for r in chat.say("/nlu_fallback"))


def test_a_form_in_progress_survives_a_restart_of_the_rasa_server(postgres_servers):
    chat = Chat(postgres_servers.settings.rasa_url)
    chat.say("我要登记一起海外知识产权纠纷")
    chat.say("铜川华陶瓷业有限公司")
    assert "哪个国家" in chat.texts("13912345678")

    restart_rasa(postgres_servers)

    # The answers already given are kept: the form goes on from the next question.
    assert "哪类知识产权" in chat.texts("美国")
    slots = chat.tracker()["slots"]
    given = (slots["company_name"], slots["phone"], slots["country"])
    assert given == ("铜川华陶瓷业有限公司", "13912345678", "美国")
