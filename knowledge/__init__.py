"""Plain Python, no Rasa or aiohttp import, in three rooms:

- `core`: settings, database engines, text, vocabulary, dates, validation, office hours;
- `library`: the sourced knowledge content, its loader and search, the expert pool;
- `records`: the case records enterprises and staff create, with schema migrations.

`library` and `records` use `core`; neither uses the other.
"""
