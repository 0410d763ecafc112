"""user_account.session_generation ends every session of a person at once;
participant.browser_key makes one browser one participant of a visit

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 11:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser_key', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_participant_visit_id_browser_key', ['visit_id', 'browser_key'])


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint('uq_participant_visit_id_browser_key', type_='unique')
        batch_op.drop_column('browser_key')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
