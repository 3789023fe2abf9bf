"""Symptom check-ins with the red flags they raised.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("taken_at", TS, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("moment", sa.String(6), nullable=False),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("reaches", sa.String(12), nullable=False),
        sa.Column("numbness", sa.String(6), nullable=False),
        sa.Column("weakness", sa.String(6), nullable=False),
        sa.Column("bladder_bowel", sa.Boolean, nullable=False),
        sa.Column("saddle_numbness", sa.Boolean, nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("rules_version", sa.String(20), nullable=False),
        sa.Column("confirmed_at", TS, nullable=True),
    )
    op.create_index("ix_checkins_patient_time", "checkins", ["patient_id", "taken_at"])


def downgrade() -> None:
    op.drop_table("checkins")
