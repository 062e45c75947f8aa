"""Several instances of the assistant behind nginx, as Rasa scales: `python -m bot run-cluster`.

Each instance is an action server and a Rasa server (a `Servers` set without the console).
nginx, in front, is what clients and Rasa talk to: on RASA_PORT it spreads the Rasa servers'
routes (REST and WeChat webhooks, the HTTP API, socket.io with its WebSocket upgrade), on
ACTION_PORT the action servers. One console (staff API, background rounds) talks to Rasa
through nginx. Every Rasa server keeps its conversations in the shared database (PostgreSQL)
and takes a conversation's lock in a shared Redis (`bot/lock_store.py`), so that one
conversation is never processed by two instances at once; the action servers keep nothing
of their own.

Rasa servers reach the action servers through nginx rather than each its own: the action
servers hold no state (everything is in the tracker and the database), so any one can run
any action; when one is down or restarting, nginx sends the turn's call to the other
instead of the turn failing (it does so only when the connection failed, never after the
request reached a server, so no action runs twice); and the two tiers can be sized apart.
The cost is one loopback hop, well under a millisecond.

The cluster's generated files (nginx.conf, the Rasa servers' endpoints.yml, logs) are under
var/cluster/, written again at every start.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text

import yaml
from sqlalchemy.engine import make_url

from bot.processes import ENDPOINTS, Servers, action_server_ready, rasa_server_ready
from knowledge.core.files import private_directory
from knowledge.core.settings import VAR, Settings, SettingsError, redis_address

logger = logging.getLogger(__name__)

CLUSTER_DIR = VAR / "cluster"
# Rasa's Redis lock store with atomic ticket changes: Rasa's own lets two instances take
# one conversation's turns at once (see the module).
LOCK_STORE_CLASS = "bot.lock_store.AtomicRedisLockStore"
# The instances listen here: only nginx, on the same machine, talks to them.
INSTANCE_HOST = "127.0.0.1"
# Where nginx is looked for besides PATH (Debian puts it in /usr/sbin, which a user's PATH
# may lack).
NGINX_DIRECTORIES = ("/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin")
# A Rasa server behind nginx takes the client's address from X-Forwarded-For, which nginx
# sets to the address it sees (a client cannot pass its own through): the REST channel's
# trust of loopback and the widget's limits per address see the real client.
BEHIND_NGINX = {"SANIC_PROXIES_COUNT": "1"}
# nginx's temporary files; with the limits of `nginx_config` none is ever written.
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class LockStore:
    """The Redis that every Rasa server of the cluster takes conversation locks in."""

    host: Text = "127.0.0.1"
    port: int = 6379
    db: int = 1
    password: Text = ""
    use_ssl: bool = False
    # Alphanumeric; keeps several clusters (tests) on one Redis apart.
    key_prefix: Text = ""

    @classmethod
    def from_url(cls, url: Text, key_prefix: Text = "") -> "LockStore":
        """`redis://[:password@]host[:port][/db]` (`rediss://` for TLS); SettingsError
        naming REDIS_URL when it is none."""
        if key_prefix and not key_prefix.isalnum():
            raise ValueError(f"a Redis key prefix must be alphanumeric: {key_prefix!r}")
        address = redis_address(url)
        return cls(address.host, address.port, address.db, address.password, address.use_ssl, key_prefix)

    def endpoint(self) -> Dict[Text, Any]:
        """The `lock_store` section of endpoints.yml. The password, when there is one, is
        read from REDIS_PASSWORD in the Rasa server's environment, not written to a file."""
        section: Dict[Text, Any] = {"type": LOCK_STORE_CLASS, "url": self.host, "port": self.port, "db": self.db}
        if self.password:
            section["password"] = "${REDIS_PASSWORD}"
        if self.use_ssl:
            section["use_ssl"] = True
        if self.key_prefix:
            section["key_prefix"] = self.key_prefix
        return section

    def environment(self) -> Dict[Text, Text]:
        """What the Rasa servers need in their environment for `endpoint()`."""
        return {"REDIS_PASSWORD": self.password} if self.password else {}

    def check(self) -> None:
        """Raises RuntimeError unless Redis answers: without it every turn would fail."""
        import redis  # Rasa's dependency; only the cluster needs it

        client = redis.Redis(
            host=self.host, port=self.port, db=self.db, password=self.password or None, ssl=self.use_ssl
        )
        try:
            client.ping()
        except redis.RedisError as error:
            raise RuntimeError(
                f"Redis at {self.host}:{self.port} does not answer ({error}); the cluster's lock store needs it"
            ) from None
        finally:
            client.close()


def instance_settings(front: Settings, size: int) -> List[Settings]:
    """The default layout of `size` instances behind `front` (where nginx listens):
    instance i serves Rasa on RASA_PORT + i and actions on ACTION_PORT + i, on loopback."""
    return [instance_of(front, front.rasa_port + number, front.action_port + number) for number in range(1, size + 1)]


def instance_of(front: Settings, rasa_port: int, action_port: int) -> Settings:
    """The settings of one instance behind `front`: its own ports on loopback, and the pages
    that may call the cluster from a browser those that may call `front`."""
    return replace(
        front,
        host=INSTANCE_HOST,
        rasa_port=rasa_port,
        action_host=INSTANCE_HOST,
        action_port=action_port,
        allowed_origins=front.browser_origins,
    )


def shared_database(url: Text) -> Text:
    """`url` if several processes on several machines can share it; SettingsError otherwise."""
    if make_url(url).get_backend_name() == "sqlite":
        raise SettingsError(
            "the cluster's instances share one database server: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tongchuan_cluster"
        )
    return url


def find_nginx() -> Optional[Text]:
    """The nginx executable, or None."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *NGINX_DIRECTORIES])
    return shutil.which("nginx", path=path)


def cluster_endpoints(action_url: Text, lock_store: LockStore, base: Path = ENDPOINTS) -> Dict[Text, Any]:
    """The project's endpoints (`base`) for a Rasa server of the cluster: actions through
    nginx (`action_url`), and the Redis lock store."""
    endpoints = yaml.safe_load(base.read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = action_url
    endpoints["lock_store"] = lock_store.endpoint()
    return endpoints


def _upstream(name: Text, servers: List[Text], balance: Text, keepalive: bool) -> List[Text]:
    lines = [f"    upstream {name} {{", f"        {balance};", f"        zone {name} 64k;"]
    # A server that refused a connection is passed over for 5 s (then tried again).
    lines += [f"        server {address} max_fails=1 fail_timeout=5s;" for address in servers]
    if keepalive:
        lines.append("        keepalive 16;")
    return lines + ["    }"]


def nginx_config(front: Settings, instances: List[Settings], directory: Path) -> Text:
    """nginx.conf for `instances` behind `front`, its files under `directory`."""
    rasa = [f"{s.host}:{s.rasa_port}" for s in instances]
    actions = [f"{s.action_host}:{s.action_port}" for s in instances]
    # Behind nginx the Rasa servers see nginx's connections; they are told the client's
    # address (which nginx sets, so a client cannot choose it) and the host it asked for
    # (the widget's same-origin check compares it with the page's origin).
    forwarded = [
        "            proxy_set_header Host $http_host;",
        "            proxy_set_header X-Forwarded-For $remote_addr;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
    ]
    keepalive = ["            proxy_http_version 1.1;", '            proxy_set_header Connection "";']
    lines = [
        "# Generated by bot/cluster.py at every `make run-cluster`; edits are lost.",
        "daemon off;",
        # One worker serves thousands of connections; the Rasa servers are the bottleneck.
        "worker_processes 1;",
        f"pid {directory / 'nginx.pid'};",
        "error_log stderr warn;",
        "events { worker_connections 1024; }",
        "http {",
        # The URI without its query: the Rasa token travels as ?token=.
        "    log_format cluster '$remote_addr [$time_local] \"$request_method $uri\" $status '",
        "                       '$request_time upstream=$upstream_addr $upstream_response_time';",
        f"    access_log {directory / 'logs' / 'nginx-access.log'} cluster;",
        # Bodies are refused above the Rasa server's own limit, before they are read, with
        # JSON like its own; smaller ones stay in memory and so do responses: nginx's
        # workers may run as another user who cannot write under var/.
        f"    client_max_body_size {front.max_body_bytes};",
        f"    client_body_buffer_size {front.max_body_bytes};",
        "    proxy_max_temp_file_size 0;",
        *(f"    {kind}_temp_path {directory / 'nginx' / kind};" for kind in TEMP_PATHS),
        # Past ACTION_TIMEOUT_S, when the Rasa server has answered "busy" itself.
        f"    proxy_read_timeout {max(60, 3 * front.action_timeout_s)}s;",
        # A request is passed to another server only when this one could not be reached;
        # a POST that reached one is never sent again (nginx's default for non-idempotent
        # requests), so no turn and no action runs twice.
        "    proxy_next_upstream error timeout;",
        "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        *_upstream("rasa", rasa, "least_conn", keepalive=True),
        # A socket.io session lives in the process that opened it: its polling requests
        # and its WebSocket upgrade must all reach that one (hash of the client's address;
        # behind another proxy, hash its X-Forwarded-For instead).
        *_upstream("rasa_socketio", rasa, "ip_hash", keepalive=False),
        *_upstream("actions", actions, "least_conn", keepalive=True),
        "    server {",
        f"        listen {front.host}:{front.rasa_port};",
        "        error_page 413 @too_large;",
        "        location @too_large {",
        "            default_type application/json;",
        '            return 413 \'{"description": "Payload Too Large", "status": 413}\';',
        "        }",
        "        location /socket.io/ {",
        "            proxy_pass http://rasa_socketio;",
        "            proxy_http_version 1.1;",
        "            proxy_set_header Upgrade $http_upgrade;",
        "            proxy_set_header Connection $connection_upgrade;",
        *forwarded,
        "        }",
        "        location / {",
        "            proxy_pass http://rasa;",
        *keepalive,
        *forwarded,
        "        }",
        "    }",
        "    server {",
        f"        listen {front.action_host}:{front.action_port};",
        "        location / {",
        "            proxy_pass http://actions;",
        *keepalive,
        *forwarded,
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def check_nginx_config(nginx: Text, config: Path) -> None:
    """Raises RuntimeError with nginx's own words when it would refuse `config`."""
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(config.parent), "-c", str(config)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"nginx refuses {config}: {result.stderr.strip()}")


def nginx_ready(front: Settings) -> bool:
    """nginx passes a Rasa request and an action-server request on."""
    return rasa_server_ready(front) and action_server_ready(front)


class Cluster(Servers):
    """nginx and the console (this set, whose settings are where clients connect) in front
    of `instances`, each an action server and a Rasa server on its own ports (by default
    `size` of them, CLUSTER_SIZE when not given, laid out by `instance_settings`)."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        lock_store: LockStore,
        instances: Optional[List[Settings]] = None,
        size: Optional[int] = None,
        directory: Path = CLUSTER_DIR,
    ) -> None:
        super().__init__(settings, model, directory / "logs")
        self.directory = directory
        self.lock_store = lock_store
        self.nginx = find_nginx()
        layout = instances or instance_settings(self.settings, size or self.settings.cluster_size)
        self.instances = [
            Servers(
                instance,
                model,
                self.log_dir,
                endpoints=directory / "endpoints.yml",
                label=str(number),
                environment={**BEHIND_NGINX, **lock_store.environment()},
            )
            for number, instance in enumerate(layout, 1)
        ]

    def ready_checks(self) -> Dict[Text, Callable[[Settings], bool]]:
        return {**super().ready_checks(), "nginx": nginx_ready}

    def write_config(self) -> Path:
        """Writes endpoints.yml and nginx.conf under the cluster's directory; nginx.conf's path."""
        if self.nginx is None:
            raise RuntimeError("nginx is not installed: run `make install` (as root), or apt-get install -y nginx")
        private_directory(self.directory)
        for sub in ("logs", "nginx"):
            private_directory(self.directory / sub)
        endpoints = cluster_endpoints(self.settings.action_url, self.lock_store)
        header = "# Generated by bot/cluster.py from endpoints.yml at every `make run-cluster`.\n"
        text = yaml.safe_dump(endpoints, allow_unicode=True, sort_keys=False)
        (self.directory / "endpoints.yml").write_text(header + text, encoding="utf-8")
        config = self.directory / "nginx.conf"
        config.write_text(nginx_config(self.settings, [s.settings for s in self.instances], self.directory))
        check_nginx_config(self.nginx, config)
        return config

    def start_nginx(self, config: Path) -> None:
        """Starts nginx in the foreground (a child like the others) with `config`."""
        assert self.nginx is not None
        self._spawn("nginx", [self.nginx, "-e", "stderr", "-p", str(self.directory), "-c", str(config)])

    def start(self) -> None:
        """Writes the configuration, checks Redis, starts every instance, the console and
        nginx at once (the Rasa servers load their models in parallel) and waits until all
        answer, nginx last (it is ready when requests pass through it)."""
        config = self.write_config()
        self.lock_store.check()
        for instance in self.instances:
            instance.start_actions()
            instance.start_rasa()
        self.start_console()
        self.start_nginx(config)
        for instance in self.instances:
            instance.wait_ready()
        self.wait_ready()

    def stop(self, names: Optional[List[Text]] = None) -> None:
        """Stops the named servers of the front (default: everything, nginx first so that
        no request reaches an instance that is stopping)."""
        if names is not None:
            super().stop(names)
            return
        super().stop(["nginx", "console"])
        for instance in self.instances:
            instance.stop()

    def supervise(self, stopping: Optional[threading.Event] = None) -> None:
        """Watches every instance and the front, each set in its own thread, restarting a
        server that exits, until `stopping` is set (or Ctrl-C)."""
        stopping = stopping or threading.Event()
        threads = [
            threading.Thread(target=instance.supervise, args=(stopping,), name=f"supervise-{instance.label}")
            for instance in self.instances
        ]
        for thread in threads:
            thread.start()
        try:
            super().supervise(stopping)
        finally:
            stopping.set()
            for thread in threads:
                thread.join()
