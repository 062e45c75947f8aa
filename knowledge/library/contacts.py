"""Contact details of the local institutions: configuration, never content.

A YAML file (CONTACTS_FILE, default var/contacts.yml) maps institution ids to their phone,
address and hours, as the bureau publishes them:

    aid-center-tongchuan:
      phone: "0919-xxxxxxx"
      address: "..."
      hours: "工作日 9:00-17:00"

An institution missing from it has no contact details, and the assistant says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Text

import yaml

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contact:
    """How to reach one institution; any field may be unknown."""

    phone: Optional[Text] = None
    address: Optional[Text] = None
    hours: Optional[Text] = None


def load_contacts(path: Path) -> Dict[Text, Contact]:
    """Institution id -> contact details; an absent or broken file gives none (and a log line)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        logger.error("contacts file %s is not valid YAML: %s", path, error)
        return {}
    contacts: Dict[Text, Contact] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            fields = {f: str(value[f]) for f in ("phone", "address", "hours") if value.get(f)}
            contacts[str(key)] = Contact(**fields)
    return contacts
