"""The project's input channels: REST for integrations, Socket.IO for the web widget, each
checking who is talking and what they send before a message reaches the agent."""
