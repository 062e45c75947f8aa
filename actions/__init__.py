"""The action server: thin actions that read the conversation, call `knowledge/` and reply."""
