"""visit times: the day and time of day the pair and the workplace agree, and the request's wished times

A visit gets ``starts``, ``ends`` and a ``sequence`` for calendars; a request the time of day its
visits should start from (existing ones: 09:00-12:00). Visits already planned stay unfixed.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-28 11:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_starts', sa.Time(), nullable=False, server_default='09:00:00'))
        batch_op.add_column(sa.Column('visit_ends', sa.Time(), nullable=False, server_default='12:00:00'))
    with op.batch_alter_table('process_request', schema=None) as batch_op:
        batch_op.alter_column('visit_starts', server_default=None)
        batch_op.alter_column('visit_ends', server_default=None)

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('ends', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.alter_column('sequence', server_default=None)


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('sequence')
        batch_op.drop_column('ends')
        batch_op.drop_column('starts')
    with op.batch_alter_table('process_request', schema=None) as batch_op:
        batch_op.drop_column('visit_ends')
        batch_op.drop_column('visit_starts')
