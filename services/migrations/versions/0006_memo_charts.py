"""memo charts: a themed memo's theme and the figures of its charts (JSON), drawn again for each download

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    with op.batch_alter_table("memos") as batch:
        batch.add_column(sa.Column("theme", sa.String(32), nullable=True))
        batch.add_column(sa.Column("charts", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("memos") as batch:
        batch.drop_column("charts")
        batch.drop_column("theme")
