"""The public pages the console serves (no token): the widget's demo page at `/`, the
widget at `/widget.js`, and the socket.io client it loads (`static/vendor/`, kept in the repo
with its version and licence)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.console.keys import SETTINGS

STATIC = Path(__file__).with_name("static")
# The demo page's own script, style and socket; the widget's socket goes to the Rasa server.
DEMO_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' {server} {socket}"
)
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _file(name: str, content_type: str) -> web.Response:
    response = web.Response(body=(STATIC / name).read_bytes(), content_type=content_type, charset="utf-8")
    response.headers.update(COMMON_HEADERS)
    response.headers["Cache-Control"] = "no-cache"
    return response


def server_url(request: web.Request) -> str:
    """The Rasa server as the page's visitor reaches it: the console's host name, Rasa's port."""
    name = urlsplit("//" + request.host).hostname or request.app[SETTINGS].host
    return f"{request.scheme}://{name}:{request.app[SETTINGS].rasa_port}"


async def demo(request: web.Request) -> web.Response:
    server = server_url(request)
    html = (STATIC / "demo.html").read_text(encoding="utf-8").replace("{server_url}", escape(server, quote=True))
    response = web.Response(text=html, content_type="text/html", charset="utf-8")
    response.headers.update(COMMON_HEADERS)
    socket = server.replace("http", "ws", 1)
    response.headers["Content-Security-Policy"] = DEMO_POLICY.format(server=server, socket=socket)
    return response


async def widget(request: web.Request) -> web.Response:
    return _file("widget.js", "application/javascript")


async def socketio_client(request: web.Request) -> web.Response:
    return _file("vendor/socket.io.min.js", "application/javascript")
