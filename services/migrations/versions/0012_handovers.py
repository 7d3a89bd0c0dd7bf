"""handovers: cases a neighbouring city handed over, as this city took them in

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.create_table(
        "handovers_received",
        sa.Column("source", sa.String(12), primary_key=True),
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("source_name", sa.String(64), nullable=False),
        sa.Column("new_case_id", sa.String(32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("handovers_received")
