"""The account's WeChat API (customer-service and template messages, the menu) through
wechatpy's client, with one access token for every process.

wechatpy fetches a token per client and refreshes it without a lock, so several processes log
each other out (a new token invalidates the old one). Here the token lives in the database:
one process at a time refreshes it (a lease), five minutes before it expires, or at once
when WeChat refuses it (40001, 40014, 42001), and the call is made again once.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any, Callable, Dict, Text, TypeVar

import requests
from sqlalchemy.engine import Engine
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from knowledge.core.settings import Settings
from knowledge.records import wechat as records

logger = logging.getLogger(__name__)

T = TypeVar("T")
TOKEN_REFUSED = (40001, 40014, 42001)
OUTSIDE_WINDOW = 45015  # the user wrote more than 48 hours ago
NOT_FOLLOWING = (40003, 43004)  # no such OpenID; the user does not follow the account
FRESH_FOR = timedelta(minutes=5)
LEASE = timedelta(seconds=30)
TIMEOUT_S = 5


class WeChatApiError(Exception):
    """WeChat's API refused a call or could not be reached; `errcode` when it answered."""

    def __init__(self, message: Text, errcode: int = 0) -> None:
        super().__init__(message)
        self.errcode = errcode


class SharedTokenClient(WeChatClient):
    """wechatpy's client, reading its access token from the shared cache."""

    def __init__(self, api: "WeChatApi", app_id: Text, secret: Text) -> None:
        super().__init__(app_id, secret, timeout=TIMEOUT_S, auto_retry=False)
        self.api = api

    @property
    def access_token(self) -> Text:
        return self.api.token()


class WeChatApi:
    """The calls the assistant makes to WeChat (blocking: run them off the event loop)."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.engine = engine
        self.app_id = settings.wechat_app_id
        self.secret = settings.wechat_app_secret
        self.base_url = settings.wechat_api_url.rstrip("/") + "/cgi-bin/"
        self.client = SharedTokenClient(self, self.app_id, self.secret)
        self.client.API_BASE_URL = self.base_url

    def token(self) -> Text:
        """The account's access token: the cached one, or one this process fetches while the
        others wait for it."""
        deadline = time.monotonic() + LEASE.total_seconds()
        while time.monotonic() < deadline:
            cached = records.cached_token(self.engine, self.app_id, FRESH_FOR)
            if cached:
                return cached
            if records.lease_refresh(self.engine, self.app_id, LEASE):
                return self._fetch_token()
            time.sleep(0.2)
        raise WeChatApiError("no access token: another process holds the refresh and has not finished")

    def _fetch_token(self) -> Text:
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}
        try:
            answer = requests.get(self.base_url + "token", params=params, timeout=TIMEOUT_S).json()
        except (requests.RequestException, ValueError) as error:
            raise WeChatApiError(f"fetching the access token failed: {error}") from error
        if not answer.get("access_token"):
            raise WeChatApiError(f"WeChat refused the access token: {answer}", int(answer.get("errcode") or 0))
        records.store_token(self.engine, self.app_id, answer["access_token"], int(answer.get("expires_in") or 7200))
        logger.info("wechat: fetched a new access token")
        return str(answer["access_token"])

    def call(self, send: Callable[[], T]) -> T:
        """`send()` with the current token; once more with a new one if WeChat refuses it."""
        for attempt in (1, 2):
            token = self.token()
            try:
                return send()
            except WeChatClientException as error:
                if error.errcode in TOKEN_REFUSED and attempt == 1:
                    logger.info("wechat: access token refused (%s); refreshing", error.errcode)
                    records.expire_token(self.engine, self.app_id, token)
                    continue
                raise WeChatApiError(
                    f"WeChat refused the call: {error.errcode} {error.errmsg}", error.errcode or 0
                ) from error
            except requests.RequestException as error:
                raise WeChatApiError(f"WeChat could not be reached: {error}") from error
        raise AssertionError("unreachable")

    def send_text(self, open_id: Text, text: Text) -> None:
        """A customer-service text message (within 48 hours of the user's last message)."""
        self.call(lambda: self.client.message.send_text(open_id, text))

    def send_template(self, open_id: Text, template_id: Text, data: Dict[Text, Any]) -> None:
        """A template message (any time, to a follower)."""
        self.call(lambda: self.client.message.send_template(open_id, template_id, data))

    def create_menu(self, menu: Dict[Text, Any]) -> None:
        """Publishes the account's custom menu."""
        self.call(lambda: self.client.menu.create(menu))
