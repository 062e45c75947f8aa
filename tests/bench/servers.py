"""The project's servers as the benchmarks measure them: the action server, the Rasa server
and the console on free loopback ports, on a fresh SQLite database of their own."""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bot.database import prepare_database
from bot.processes import Servers
from tests.e2e.conftest import make_settings


@contextmanager
def one_instance(model: Path) -> Iterator[Servers]:
    """The three servers with `model`, started and ready (the time it took printed), and
    stopped when the block ends; their database and logs are removed with them."""
    with tempfile.TemporaryDirectory() as directory:
        settings = make_settings(f"sqlite:///{Path(directory) / 'bench.db'}")
        prepare_database(settings.database_url)
        servers = Servers(settings, model, Path(directory) / "logs")
        started = time.perf_counter()
        try:
            servers.start()
            print(
                f"model {model.name}; servers ready in {time.perf_counter() - started:.1f} s "
                f"(Rasa {servers.settings.rasa_url}, tracker store SQLite)",
                flush=True,
            )
            yield servers
        finally:
            servers.stop()
