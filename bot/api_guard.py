"""Bodies of Rasa's HTTP API checked before Rasa reads them.

Rasa answers 500 to many malformed bodies of its own API (an array to /model/parse, a text that
is a number, a lone surrogate, a list to /trigger_intent or PUT /model). This request
middleware answers those with 400 and a JSON error in Rasa's own shape. It checks only
requests that carry the Rasa token: the others get Rasa's 401 first.
"""

from __future__ import annotations

import re
from typing import Any, Callable, List, Optional, Pattern, Text, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from knowledge.core.tokens import same_secret

OBJECT, ARRAY, EVENTS = "object", "array", "events"
CONVERSATION = r"/conversations/[^/]+"
# (methods, path, the body's shape, its fields that must be strings)
BODIES: List[Tuple[Tuple[Text, ...], Pattern, Text, Tuple[Text, ...]]] = [
    (("POST",), re.compile(r"/model/parse"), OBJECT, ("text",)),
    (("POST",), re.compile(r"/model/predict"), ARRAY, ()),
    (("PUT",), re.compile(r"/model"), OBJECT, ()),
    (("POST",), re.compile(CONVERSATION + r"/messages"), OBJECT, ("text", "sender")),
    (("POST",), re.compile(CONVERSATION + r"/trigger_intent"), OBJECT, ("name",)),
    (("POST",), re.compile(CONVERSATION + r"/execute"), OBJECT, ("name",)),
    (("POST", "PUT"), re.compile(CONVERSATION + r"/tracker/events"), EVENTS, ()),
]


def bad_request(message: Text) -> HTTPResponse:
    body = {"status": "failure", "message": message, "reason": "BadRequest", "code": 400}
    return response.json(body, status=400)


def storable(value: Any) -> bool:
    """No string inside `value` holds a lone surrogate (nothing could store it)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v) for v in value)
    return True


def problem(shape: Text, fields: Tuple[Text, ...], body: Any) -> Optional[Text]:
    """What is wrong with `body` for a route of `shape`, or None."""
    if shape == ARRAY and not isinstance(body, list):
        return "the body must be a JSON array"
    if shape == EVENTS and not (
        isinstance(body, dict) or (isinstance(body, list) and all(isinstance(e, dict) for e in body))
    ):
        return "the body must be an event object or an array of event objects"
    if shape == OBJECT:
        if not isinstance(body, dict):
            return "the body must be a JSON object"
        for name in fields:
            if not isinstance(body.get(name), str):
                return f"'{name}' must be a string"
    if not storable(body):
        return "the body holds a lone surrogate, which is no text"
    return None


def too_large(request: Request) -> bool:
    """A body over Sanic's limit: Sanic runs request middleware for its own errors too, and
    its 413 must stand."""
    length = request.headers.get("content-length") or "0"
    return length.isdigit() and int(length) > request.app.config.REQUEST_MAX_SIZE


def body_guard(token: Text) -> Callable:
    """The request middleware for an API whose token is `token`."""

    async def guard(request: Request) -> Optional[HTTPResponse]:
        if too_large(request) or not same_secret(request.args.get("token") or "", token):
            return None
        for methods, path, shape, fields in BODIES:
            if request.method in methods and path.fullmatch(request.path):
                try:
                    body = request.json
                except Exception:  # Sanic's InvalidUsage for a body that is no JSON
                    return bad_request("the body is no JSON")
                found = problem(shape, fields, body)
                return bad_request(found) if found else None
        return None

    return guard
