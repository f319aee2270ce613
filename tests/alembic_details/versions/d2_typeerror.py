"""a helper called wrongly

Revision ID: d2
Revises: d1
"""
from alembic import op
import sqlalchemy as sa

revision = 'd2'
down_revision = 'd1'


def _column(name, kind):
    return sa.Column(name, kind, nullable=True)


def upgrade():
    op.add_column('case', _column('note'))


def downgrade():
    op.drop_column('case', 'note')
