"""visit: the room's shared moments – the step timer, results revealed, the task in focus, the join code shown big;
the timer replaces step_started_at, which only counted down the playbook's minutes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timer_used', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('timer_running_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_shown', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('focus_task_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('code_shown', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_column('step_started_at')


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_started_at', sa.DateTime(), nullable=True))
        for column in ('code_shown', 'focus_task_id', 'results_shown', 'timer_running_since', 'timer_used',
                       'timer_seconds'):
            batch_op.drop_column(column)
