"""participant.last_seen_at: a conflict whose author has gone quiet reaches the facilitators

A phone that waits on one of its conflicts says so when it polls; a conflict whose author has not
said so for a while (cookies cleared, phone gone) is shown on the console to be settled.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
