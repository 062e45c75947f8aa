"""The cluster's configuration (`bot/cluster.py`): the lock store's URL, the instances'
layout, the Rasa servers' endpoints, nginx's configuration (checked by nginx itself when it
is installed), and the supervision of several sets of servers (stand-in children)."""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import processes
from bot.cluster import (
    LOCK_STORE_CLASS,
    Cluster,
    LockStore,
    check_nginx_config,
    cluster_endpoints,
    find_nginx,
    instance_settings,
    nginx_config,
    shared_database,
)
from bot.database import create_database_if_missing
from bot.processes import ENDPOINTS
from bot.rasa_server import rasa_arguments
from knowledge.core.settings import SettingsError
from tests.conftest import settings_for

SECRETS = {name: "test" for name in ("STAFF_TOKEN", "RASA_TOKEN", "ACTION_TOKEN", "CHANNEL_TOKEN", "SESSION_SECRET")}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("redis://127.0.0.1:6379/1", LockStore("127.0.0.1", 6379, 1)),
        ("redis://cache.internal", LockStore("cache.internal", 6379, 1)),
        ("redis://:s%40cret@10.0.0.5:6380/3", LockStore("10.0.0.5", 6380, 3, password="s@cret")),
        ("rediss://cache.internal:6390/0", LockStore("cache.internal", 6390, 0, use_ssl=True)),
    ],
)
def test_the_lock_store_is_read_from_a_redis_url(url, expected):
    assert LockStore.from_url(url) == expected


@pytest.mark.parametrize("url", ["127.0.0.1:6379", "http://127.0.0.1:6379", "redis://127.0.0.1:port", "redis://h/x"])
def test_a_redis_url_that_is_none_names_the_setting(url):
    with pytest.raises(SettingsError, match="REDIS_URL"):
        LockStore.from_url(url)


@pytest.mark.parametrize("size", ["0", "9", "two", "-1"])
def test_a_cluster_size_out_of_range_names_the_setting(size):
    with pytest.raises(SettingsError, match="CLUSTER_SIZE"):
        settings_for(CLUSTER_SIZE=size)


def test_a_redis_url_that_is_none_stops_the_settings_as_any_setting():
    with pytest.raises(SettingsError, match="REDIS_URL"):
        settings_for(REDIS_URL="127.0.0.1:6379")


def test_the_cluster_defaults_to_two_instances_on_the_local_redis():
    defaults = settings_for()
    assert defaults.cluster_size == 2
    assert LockStore.from_url(defaults.redis_url) == LockStore("127.0.0.1", 6379, 1)


def test_the_cluster_has_as_many_instances_as_cluster_size(tmp_path):
    settings = settings_for(CLUSTER_SIZE="3", REDIS_URL="redis://cache.internal:6390/2", **SECRETS)
    cluster = Cluster(settings, tmp_path / "model.tar.gz", LockStore.from_url(settings.redis_url), directory=tmp_path)
    assert [s.settings.rasa_port for s in cluster.instances] == [5006, 5007, 5008]
    assert cluster.lock_store == LockStore("cache.internal", 6390, 2)


def test_the_cluster_refuses_a_database_only_one_machine_can_open():
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        shared_database("sqlite:///var/assistant.db")
    assert shared_database("postgresql://u@db:5432/x") == "postgresql://u@db:5432/x"


def test_instances_get_ports_beside_the_front_on_loopback():
    front = settings_for(HOST="0.0.0.0", RASA_PORT="5005", ACTION_PORT="5055", ALLOWED_ORIGINS="https://site.example")
    instances = instance_settings(front, 2)
    assert [(s.host, s.rasa_port, s.action_host, s.action_port) for s in instances] == [
        ("127.0.0.1", 5006, "127.0.0.1", 5056),
        ("127.0.0.1", 5007, "127.0.0.1", 5057),
    ]
    # The pages that may use the cluster from a browser are the front's, whatever the
    # instances' own addresses.
    assert all(set(front.browser_origins) <= set(s.browser_origins) for s in instances)
    assert all(s.database_url == front.database_url for s in instances)


def test_the_cluster_endpoints_are_the_projects_with_actions_through_nginx_and_the_lock_store():
    lock_store = LockStore.from_url("redis://:pw@cache:6380/2", key_prefix="blue")
    endpoints = cluster_endpoints("http://10.0.0.1:5055/webhook", lock_store)
    project = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    assert "lock_store" not in project  # `make run` needs no Redis
    assert endpoints["tracker_store"] == project["tracker_store"]
    assert endpoints["action_endpoint"] == {**project["action_endpoint"], "url": "http://10.0.0.1:5055/webhook"}
    assert endpoints["lock_store"] == {
        "type": LOCK_STORE_CLASS,
        "url": "cache",
        "port": 6380,
        "db": 2,
        "password": "${REDIS_PASSWORD}",  # from the environment, never written to the file
        "key_prefix": "blue",
    }
    assert lock_store.environment() == {"REDIS_PASSWORD": "pw"}


def test_the_rasa_server_is_given_the_cluster_endpoints():
    arguments = rasa_arguments(settings_for(**SECRETS), "model.tar.gz", "var/cluster/endpoints.yml")
    assert arguments[arguments.index("--endpoints") + 1] == "var/cluster/endpoints.yml"
    default = rasa_arguments(settings_for(**SECRETS), "model.tar.gz")
    assert default[default.index("--endpoints") + 1] == "endpoints.yml"


def config_for(tmp_path: Path) -> str:
    front = settings_for(RASA_PORT="6005", ACTION_PORT="6055", MAX_BODY_BYTES="65536")
    return nginx_config(front, instance_settings(front, 2), tmp_path)


def test_nginx_spreads_rasa_and_actions_and_keeps_a_socketio_session_on_one_server(tmp_path):
    config = config_for(tmp_path)
    upstreams = {
        name: block.split("}")[0] for name, block in (part.split(" {", 1) for part in config.split("upstream ")[1:])
    }
    assert "least_conn" in upstreams["rasa"] and "ip_hash" in upstreams["rasa_socketio"]
    for name, ports in (("rasa", (6006, 6007)), ("rasa_socketio", (6006, 6007)), ("actions", (6056, 6057))):
        assert [f"127.0.0.1:{p}" in upstreams[name] for p in ports] == [True, True], name
    socketio = config.split("location /socket.io/ {")[1].split("}")[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in socketio
    assert "proxy_set_header Connection $connection_upgrade;" in socketio
    assert "listen 127.0.0.1:6005;" in config and "listen 127.0.0.1:6055;" in config
    # The client's address is nginx's to say; the log holds no query string (the Rasa token).
    assert config.count("proxy_set_header X-Forwarded-For $remote_addr;") == 3
    assert "$request " not in config and "$args" not in config
    assert "client_max_body_size 65536;" in config


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (make install installs it)")
    for sub in ("logs", "nginx"):
        (tmp_path / sub).mkdir()
    (tmp_path / "nginx.conf").write_text(config_for(tmp_path))
    check_nginx_config(nginx, tmp_path / "nginx.conf")
    (tmp_path / "broken.conf").write_text(config_for(tmp_path).replace("least_conn;", "least_conn"))
    with pytest.raises(RuntimeError, match="nginx refuses"):
        check_nginx_config(nginx, tmp_path / "broken.conf")


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    """A cluster of two sets whose children are one-line Python programs."""
    monkeypatch.setattr(processes, "RESTART_FIRST_DELAY_S", 0.05)
    monkeypatch.setattr(processes, "SUPERVISE_POLL_S", 0.02)
    running = Cluster(settings_for(**SECRETS), tmp_path / "model.tar.gz", LockStore(), directory=tmp_path)
    yield running
    running.stop()


def test_a_crashed_server_of_an_instance_is_restarted_and_stop_ends_every_set(cluster):
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    cluster._spawn("nginx", sleeper)
    cluster.instances[0]._spawn("rasa", sleeper)
    cluster.instances[1]._spawn("rasa", [sys.executable, "-c", "print('crash', flush=True); raise SystemExit(3)"])
    stopping = threading.Event()
    thread = threading.Thread(target=cluster.supervise, args=(stopping,))
    thread.start()
    time.sleep(1.0)
    stopping.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert (cluster.log_dir / "rasa-2.log").read_text().count("crash") >= 2
    children = [cluster.processes["nginx"], cluster.instances[0].processes["rasa"]]
    assert all(child.poll() is None for child in children)
    cluster.stop()
    assert all(child.poll() is not None for child in children)


def test_the_clusters_postgresql_database_is_created_when_missing():
    server = make_url(os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    url = server.set(database=f"cluster_{secrets.token_hex(4)}")
    try:
        assert create_database_if_missing(url.render_as_string(hide_password=False)) is True
        assert create_database_if_missing(url.render_as_string(hide_password=False)) is False
    finally:
        admin = create_engine(server, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
    assert create_database_if_missing("sqlite:///var/x.db") is False
