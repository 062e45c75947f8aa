"""Files that hold what only the service may read: the SQLite database, the secrets."""

from __future__ import annotations

import os
from pathlib import Path


def private_directory(path: Path) -> Path:
    """`path`, created if missing, usable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """`path` (created empty if missing) readable and writable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    return path
