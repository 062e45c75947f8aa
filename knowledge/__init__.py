"""The knowledge base and shared settings: plain Python, no Rasa or aiohttp import."""
