"""The WeChat account's custom menu (`wechat_menu.yml`): what WeChat is sent, and what each
menu key means to the assistant."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Text

import yaml

MENU_FILE = Path(__file__).with_name("wechat_menu.yml")


def load_menu(path: Path = MENU_FILE) -> Dict[Text, Any]:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def _buttons(menu: Dict[Text, Any]) -> Iterator[Dict[Text, Any]]:
    for button in menu.get("button") or []:
        yield button
        yield from button.get("sub_button") or []


def click_payloads(path: Path = MENU_FILE) -> Dict[Text, Text]:
    """Menu key → the message the assistant reads when it is pressed."""
    return {b["key"]: b["payload"] for b in _buttons(load_menu(path)) if b.get("type") == "click"}


def published_menu(path: Path = MENU_FILE) -> Dict[Text, Any]:
    """The menu as WeChat takes it: without the assistant's payloads."""
    menu = load_menu(path)
    for button in _buttons(menu):
        button.pop("payload", None)
    return menu
