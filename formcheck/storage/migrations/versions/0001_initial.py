"""Patients, programmes, sets and reps; the record of imported files.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("days_per_week", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_programmes_patient_id", "programmes", ["patient_id"])
    op.create_table(
        "programme_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("programme_id", sa.Integer, sa.ForeignKey("programmes.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("exercise", sa.String(40), nullable=False),
        sa.Column("sets", sa.Integer, nullable=False),
        sa.Column("reps", sa.Integer, nullable=True),
        sa.Column("hold_s", sa.Float, nullable=True),
        sa.Column("rest_s", sa.Float, nullable=False),
        sa.Column("profile_version", sa.Integer, nullable=True),
    )
    op.create_index("ix_programme_items_programme_id", "programme_items", ["programme_id"])
    op.create_table(
        "sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer, sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise", sa.String(40), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("definition_version", sa.String(20), nullable=False),
        sa.Column("profile_version", sa.Integer, nullable=True),
        sa.Column("clip", sa.Text, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_index("ix_sets_patient_time", "sets", ["patient_id", "started_at"])
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("set_id", sa.Integer, sa.ForeignKey("sets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("index", sa.Integer, nullable=False),
        sa.Column("side", sa.String(5), nullable=True),
        sa.Column("start_ms", sa.Float, nullable=False),
        sa.Column("top_ms", sa.Float, nullable=False),
        sa.Column("end_ms", sa.Float, nullable=False),
        sa.Column("hold_ms", sa.Float, nullable=False),
        sa.Column("faults", sa.JSON, nullable=False),
        sa.Column("key_angles", sa.JSON, nullable=False),
        sa.UniqueConstraint("set_id", "index", name="uq_reps_set_index"),
    )
    op.create_index("ix_reps_set_id", "reps", ["set_id"])
    op.create_table(
        "imported_files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("path", sa.String(512), nullable=False, unique=True),
        sa.Column("imported_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("imported_files", "reps", "sets", "programme_items", "programmes", "patients"):
        op.drop_table(table)
