"""analytics runs: each run's request and result, kept under the id answers and memos cite it by

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "analytics_runs",
        sa.Column("run_id", sa.String(512), primary_key=True),
        sa.Column("analytic", sa.String(32), nullable=False, index=True),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("analytics_runs")
