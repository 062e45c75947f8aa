"""The console service: the staff HTTP API over handed-off conversations and reports."""
