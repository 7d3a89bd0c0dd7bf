"""Reference monitoring, dispatch and forecasting services on SQLite/PostgreSQL (issue 4)."""
