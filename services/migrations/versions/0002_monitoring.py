"""sensors, readings, alarms (one open alarm per sensor)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "sensors",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("asset_id", sa.String(16), nullable=False, index=True),
        sa.Column("grid_id", sa.String(15), nullable=False),
        sa.Column("district", sa.String(6), nullable=False, index=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("watch", sa.Float),
        sa.Column("warning", sa.Float),
        sa.Column("alarm", sa.Float, nullable=False),
        sa.Column("range_min", sa.Float, nullable=False),
        sa.Column("range_max", sa.Float, nullable=False),
        sa.Column("last_value", sa.Float),
        sa.Column("last_ts", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "readings",
        sa.Column("sensor_id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sensor_id", sa.String(32), nullable=False, index=True),
        sa.Column("asset_id", sa.String(16), nullable=False),
        sa.Column("grid_id", sa.String(15), nullable=False),
        sa.Column("district", sa.String(6), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("peak", sa.Float, nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("state", sa.String(8), nullable=False, index=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    # At most one open alarm per sensor, whichever process sees the burst of readings.
    op.create_index("uq_alarms_one_open", "alarms", ["sensor_id"], unique=True,
                    sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))


def downgrade() -> None:
    op.drop_index("uq_alarms_one_open", "alarms")
    op.drop_table("alarms")
    op.drop_table("readings")
    op.drop_table("sensors")
