"""Persistence: SQL databases (SQLite, Postgres) and, for attachments, blob stores."""
