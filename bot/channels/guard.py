"""What every public channel checks before a message reaches the agent: the text, the
sender, the client's address, and how fast they are talking."""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, Optional, Text

from knowledge.core.settings import Settings

# Conversations of other channels; a REST client may not write into them.
RESERVED_SENDER_PREFIXES = ("web-", "wx-")
MAX_SENDER_CHARS = 128

# Said to the user, in the channel's reply, when a message is not passed on.
TOO_LONG = (
    "这条消息有{length}字，超过了{limit}字的上限，我没有处理它。请分段发送，"
    "或只发送最关键的部分（如来函的正文、期限和对方的要求）。"
)
TOO_FAST = "您发送得太快了，请{seconds}秒后再发。"
UNREADABLE = "消息里有无法识别的字符，请重新输入。"


class Refusal(Exception):
    """A message that is not passed on: `status` for HTTP, `message` for the client."""

    def __init__(self, status: int, message: Text, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def client_address(request: Any) -> Text:
    """The client's address of a Sanic request: the proxy's forwarded one when Sanic is told
    to trust it (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER), otherwise the peer's."""
    return request.remote_addr or request.ip or ""


def is_loopback(address: Text) -> bool:
    """The client is on this machine (tests, benchmarks, local tools)."""
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def message_text(value: Any, limit: int) -> Text:
    """The message's text; a Refusal when it is no text, cannot be stored, or is too long."""
    if not isinstance(value, str):
        raise Refusal(400, "message 必须是字符串")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: nothing could store it
        raise Refusal(400, UNREADABLE) from None
    if len(value) > limit:
        raise Refusal(413, TOO_LONG.format(length=len(value), limit=limit))
    return value


def sender_id(value: Any) -> Text:
    """A REST sender id: a non-empty string of at most 128 printable characters that is not
    another channel's conversation."""
    if not isinstance(value, str) or not value.strip():
        raise Refusal(400, "sender 必须是非空字符串（会话编号）")
    if len(value) > MAX_SENDER_CHARS or not value.isprintable():
        raise Refusal(400, f"sender 最多{MAX_SENDER_CHARS}个可打印字符")
    if value.startswith(RESERVED_SENDER_PREFIXES):
        raise Refusal(400, f"以 {'、'.join(RESERVED_SENDER_PREFIXES)} 开头的会话属于其他渠道")
    return value


class TurnLimiter:
    """At most `per_minute` turns per key in any sliding minute."""

    WINDOW_S = 60.0
    # Keys kept before idle ones are dropped, so memory stays bounded.
    MAX_KEYS = 50000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.turns: Dict[Text, Deque[float]] = {}

    def wait(self, key: Text) -> int:
        """0 (and the turn is counted) when `key` may take a turn now, else the whole
        seconds until it may."""
        now = self.clock()
        turns = self.turns.setdefault(key, deque())
        while turns and turns[0] <= now - self.WINDOW_S:
            turns.popleft()
        if len(turns) >= self.per_minute:
            return max(1, int(turns[0] + self.WINDOW_S - now + 0.999))
        turns.append(now)
        if len(self.turns) > self.MAX_KEYS:
            self._forget_idle(now)
        return 0

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self.turns.items() if not t or t[-1] <= now - self.WINDOW_S]:
            del self.turns[key]


class Gate:
    """The turn limits of one channel, per conversation and per client address."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.senders = TurnLimiter(settings.sender_turns_per_minute, clock)
        self.addresses = TurnLimiter(settings.address_turns_per_minute, clock)

    def admit(self, sender: Text, address: Optional[Text]) -> None:
        """Counts a turn; a Refusal (429) when the conversation or the address is over its
        limit. Loopback clients (tests, benchmarks, local tools) are never limited; without
        an address (WeChat: every message comes from WeChat's servers) only the conversation is."""
        if address is not None and is_loopback(address):
            return
        wait: Optional[int] = (address is not None and self.addresses.wait(address)) or self.senders.wait(sender)
        if wait:
            raise Refusal(429, TOO_FAST.format(seconds=wait), retry_after=wait)
