"""Paths and helpers tests import (kept out of conftest so they can be imported by name)."""

from core.settings import REPO_ROOT

FIXTURE_POLICIES = REPO_ROOT / "tests" / "fixtures" / "policies"
