"""proposals remember what they were made from, so an out-of-date one cannot be confirmed

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
