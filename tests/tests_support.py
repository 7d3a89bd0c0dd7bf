"""Paths and helpers tests import (kept out of conftest so they can be imported by name)."""

import os

from core.settings import REPO_ROOT

FIXTURE_POLICIES = REPO_ROOT / "tests" / "fixtures" / "policies"
# Relational storage: every service test runs on SQLite and on PostgreSQL (this server's admin URL).
PG_ADMIN_URL = os.environ.get("YIWANG_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
