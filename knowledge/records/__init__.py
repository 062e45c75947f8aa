"""The case records: what enterprises gave the assistant and what staff did with it
(reports and their history, staff notifications, handoffs, subscriptions, consultation
requests). Never rebuilt: its schema changes only through the migrations in `migrations/`."""
