"""The assistant's replies as WeChat text: buttons become numbered options, long replies are
cut below WeChat's size limit, and passive replies are XML whose CDATA nothing can break."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

# WeChat refuses text messages over 2048 bytes; a margin for the XML around them.
MAX_TEXT_BYTES = 2000
MAX_OPTIONS = 9
CHOICE = re.compile(r"\s*([1-9])\s*[.。、]?\s*")
MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")


@dataclass
class WeChatReply:
    """A turn's reply: its text parts, in order, and the payloads of its numbered options."""

    parts: List[Text] = field(default_factory=list)
    options: List[Text] = field(default_factory=list)


def as_wechat(messages: List[Dict[Text, Any]]) -> WeChatReply:
    """The collected bot messages of a turn as WeChat text."""
    lines: List[Text] = []
    options: List[Text] = []
    for message in messages:
        text = (message.get("text") or "").strip()
        if text:
            lines.append(MARKDOWN_LINK.sub(r'<a href="\2">\1</a>', text))
        for button in message.get("buttons") or []:
            if len(options) < MAX_OPTIONS and button.get("payload"):
                options.append(str(button["payload"]))
                lines.append(f"回复 {len(options)}：{button.get('title') or button['payload']}")
    return WeChatReply(split("\n".join(lines)), options)


def split(text: Text, limit: int = MAX_TEXT_BYTES) -> List[Text]:
    """`text` in parts of at most `limit` UTF-8 bytes, cut at line ends where it can be."""
    parts: List[Text] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line.encode("utf-8")) > limit:
            cut = _longest_prefix(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        parts.append(current)
    return parts


def _longest_prefix(text: Text, limit: int) -> int:
    size = 0
    for index, character in enumerate(text):
        size += len(character.encode("utf-8"))
        if size > limit:
            return index
    return len(text)


def chosen(text: Text, options: List[Text]) -> Optional[Text]:
    """The payload of the option a reply of "1"…"9" picks, if it picks one."""
    match = CHOICE.fullmatch(text)
    if match is None or int(match.group(1)) > len(options):
        return None
    return options[int(match.group(1)) - 1]


def cdata(text: Text) -> Text:
    """`text` inside CDATA: a `]]>` in it is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_xml(to_user: Text, from_user: Text, content: Text, now: Optional[int] = None) -> Text:
    """A passive text reply."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now or int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )
