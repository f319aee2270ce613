"""cases

Revision ID: d1
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = 'd1'
down_revision = None


def upgrade():
    op.create_table(
        'case',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('created', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column('open', sa.Boolean(), server_default=sa.sql.expression.true(), nullable=False),
        sa.Column('Limit', sa.Integer(), server_default=sa.text('0'), nullable=False),
    )
    op.create_index(op.f('ix_case_created'), 'case', ['created'])
    op.create_index('ix_case_open', 'case', ['open'], postgresql_where=sa.text('open AND'))


def downgrade():
    op.drop_table('case')
