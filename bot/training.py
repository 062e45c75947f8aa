"""Training the model only when its inputs changed since the newest one.

Each model gets a sidecar `<model>.inputs` holding a digest of the inputs it was trained
from, taken before training starts: an edit made while a training runs makes that model
stale (file times cannot tell), and a checkout that only touches times does not.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path
from typing import Iterable, List, Optional

from bot.processes import PROJECT_ARGS, rasa_command, subprocess_env
from knowledge.core.settings import ROOT, Settings

logger = logging.getLogger(__name__)

MODELS_DIR = ROOT / "models"
# Everything that changes what `rasa train` produces.
TRAINING_INPUTS = [
    "data",
    "config.yml",
    "domain.yml",
    "bot/nlu",
    "knowledge/core/vocabulary.yml",
    "knowledge/core/situations.yml",
]


def newest_model(models_dir: Path = MODELS_DIR) -> Optional[Path]:
    """The most recently written model archive, or None."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def _files(paths: Iterable[Path]) -> List[Path]:
    files: List[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    return files


def inputs_digest(root: Path = ROOT) -> str:
    """A digest of every training input file's path and content."""
    digest = hashlib.sha256()
    for path in sorted(_files(root / p for p in TRAINING_INPUTS)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def digest_file(model: Path) -> Path:
    """Where a model's input digest is kept."""
    return model.with_name(model.name + ".inputs")


def is_stale(model: Optional[Path], root: Path = ROOT) -> bool:
    """True when there is no model, or it was trained from other inputs than the current
    ones (or from unknown ones)."""
    if model is None or not digest_file(model).is_file():
        return True
    return digest_file(model).read_text(encoding="utf-8").strip() != inputs_digest(root)


def ensure_model(settings: Settings, force: bool = False) -> Path:
    """The newest model, trained first when it is missing or stale."""
    model = newest_model()
    if force or is_stale(model):
        logger.info("training a model (inputs changed or no model yet)")
        digest = inputs_digest()
        subprocess.run(
            rasa_command(
                "train",
                *PROJECT_ARGS,
                "--out",
                str(MODELS_DIR),
                # Rasa's cache does not see edits to the jieba dictionary; --force does.
                *(["--force"] if force else []),
            ),
            cwd=ROOT,
            env=subprocess_env(settings),
            check=True,
        )
        model = newest_model()
        if model is None:
            raise RuntimeError("rasa train finished without writing a model")
        digest_file(model).write_text(digest, encoding="utf-8")
    if model is None:
        raise RuntimeError("no model")
    return model
