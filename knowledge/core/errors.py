"""Errors the rooms raise for their callers to phrase."""


class NotFound(LookupError):
    """The record asked for does not exist (staff API: 404)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!r} not found")
        self.what = what
        self.key = key
