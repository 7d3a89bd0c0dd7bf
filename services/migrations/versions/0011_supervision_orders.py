"""supervision orders (督办): sent down by a parent platform, and taken in by a lower one

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "supervision_orders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(12), nullable=False, index=True),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("indicator", sa.String(64), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "supervision_received",
        sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("issuer", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("indicator", sa.String(64), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("supervision_received")
    op.drop_table("supervision_orders")
