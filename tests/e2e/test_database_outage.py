"""The database goes away at a report's confirmation (PostgreSQL behind a proxy that the test
cuts, as a restart or a network drop does to every server at once): the user is told the
truth, no report id is given for a report that was not saved, and once the database is back
the same confirmation saves the report, once, with every answer given."""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.database import prepare_database
from bot.processes import Servers
from knowledge.core.db import make_engine
from knowledge.records.models import Report
from tests.e2e.conftest import Chat, make_settings
from tests.e2e.tcp_proxy import TcpProxy
from tests.e2e.test_reports import DESCRIPTION, REPORT_ID

pytestmark = pytest.mark.e2e

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ANSWERS = ["我要登记纠纷", "铜川断库测试有限公司", "13912345670", "德国", "商标", "警告函", "没有"]


@pytest.fixture(scope="module")
def database():
    """A PostgreSQL database of this module's own (on TEST_POSTGRES_URL's server), dropped after."""
    server = make_url(POSTGRES_URL)
    name = f"e2e_db_outage_{secrets.token_hex(4)}"
    admin = create_engine(server.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def proxied(model, tmp_path_factory, database):
    """The three servers on `database` through a proxy of the test's (tracker store and
    case records alike, as `make run` has them), and the proxy."""
    proxy = TcpProxy(database.port or 5432)
    through = database.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    prepare_database(through)
    servers = Servers(make_settings(through), model, tmp_path_factory.mktemp("db-outage") / "logs")
    servers.start()
    yield servers, proxy
    servers.stop()
    proxy.cut()


def reports_of(database, sender):
    """The sender's reports, read straight from the database (not through the proxy)."""
    engine = make_engine(database.render_as_string(hide_password=False))
    try:
        with Session(engine) as session:
            return session.scalars(select(Report).where(Report.sender_id == sender)).all()
    finally:
        engine.dispose()


def test_a_database_outage_at_the_confirmation_is_told_and_the_report_is_saved_once_after(proxied, database):
    servers, proxy = proxied
    chat = Chat(servers.settings.rasa_url)
    for answer in ANSWERS:
        chat.say(answer)
    assert "请核对" in chat.texts(DESCRIPTION)

    proxy.cut()
    try:
        reply = chat.texts("确认提交")
        assert not REPORT_ID.search(reply), reply
        assert "系统暂时" in reply, reply  # busy, or could not save: the truth either way
    finally:
        proxy.restore()
    assert reports_of(database, chat.sender) == []

    reply = chat.texts("确认提交")
    assert REPORT_ID.search(reply), reply
    saved = reports_of(database, chat.sender)
    assert len(saved) == 1
    report = saved[0]
    assert report.id == REPORT_ID.search(reply).group(0)
    given = (report.company_name, report.phone, report.country, report.ip_type, report.dispute_type)
    assert given == ("铜川断库测试有限公司", "13912345670", "德国", "商标", "警告函")
    assert report.description == DESCRIPTION and report.deadline is None
