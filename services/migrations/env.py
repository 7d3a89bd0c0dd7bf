"""Alembic environment: runs on the connection handed over by ``services.db.migrate``.

The upgrade scripts are explicit DDL; the metadata below serves ``alembic revision --autogenerate``, so it
imports every module that defines a table (each registers itself on ``Base``), the memo archive included:
those modules import only ``services.db``, so an upgrade loads nothing more.
"""

from alembic import context

import analytics.tables  # noqa: F401
import memos.tables  # noqa: F401
import services.access.tables  # noqa: F401
import services.dispatch.tables  # noqa: F401
import services.federation.tables  # noqa: F401
import services.idempotency  # noqa: F401
import services.monitoring.tables  # noqa: F401
from services.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
