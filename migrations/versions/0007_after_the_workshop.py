"""after the workshop: playbook versions, cancellation, follow-up, target groups, the mail outbox

The steps that exist become playbook version 1; visits already opened keep it.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-28 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('playbook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_playbook_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook'))
    )
    op.execute(sa.text("INSERT INTO playbook (id, created_at, note) VALUES (1, CURRENT_TIMESTAMP, '')"))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.text("SELECT setval(pg_get_serial_sequence('playbook', 'id'), 1)"))

    with op.batch_alter_table('playbook_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('playbook_id', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('playbook_step', schema=None) as batch_op:
        batch_op.alter_column('playbook_id', server_default=None)
        batch_op.drop_constraint('uq_playbook_step_visit_number_position', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_playbook_step_playbook_id_visit_number_position'),
                                          ['playbook_id', 'visit_number', 'position'])
        batch_op.create_index(batch_op.f('ix_playbook_step_playbook_id'), ['playbook_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_playbook_step_playbook_id_playbook'), 'playbook',
                                    ['playbook_id'], ['id'])

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('playbook_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_playbook_id_playbook'), 'playbook', ['playbook_id'], ['id'])
    op.execute(sa.text("UPDATE visit SET playbook_id = 1 WHERE status <> 'planned'"))

    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('meeting_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('meeting_starts', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('meeting_ends', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('meeting_place', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('meeting_sequence', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('process_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))

    with op.batch_alter_table('work_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_mark', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('follow_up_note', sa.String(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('followed_up_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('followed_up_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_work_task_followed_up_by_id'), ['followed_up_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_work_task_followed_up_by_id_user_account'), 'user_account',
                                    ['followed_up_by_id'], ['id'])

    op.create_table('target_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_group')),
    sa.UniqueConstraint('name', name=op.f('uq_target_group_name'))
    )
    op.create_table('target_group_alias',
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('target_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['target_group_id'], ['target_group.id'],
                            name=op.f('fk_target_group_alias_target_group_id_target_group')),
    sa.PrimaryKeyConstraint('text', 'target_group_id', name=op.f('pk_target_group_alias'))
    )
    with op.batch_alter_table('target_group_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_group_alias_target_group_id'), ['target_group_id'], unique=False)

    op.create_table('mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('to_email', sa.String(length=254), nullable=False),
    sa.Column('to_name', sa.String(length=120), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('ics', sa.Text(), nullable=True),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_mail_process_id_process')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail')),
    sa.UniqueConstraint('key', name=op.f('uq_mail_key'))
    )
    with op.batch_alter_table('mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_to_email'), ['to_email'], unique=False)


def downgrade():
    op.drop_table('mail')
    op.drop_table('target_group_alias')
    op.drop_table('target_group')
    with op.batch_alter_table('work_task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_work_task_followed_up_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_work_task_followed_up_by_id'))
        for column in ('followed_up_by_id', 'followed_up_at', 'follow_up_note', 'follow_up_mark'):
            batch_op.drop_column(column)
    with op.batch_alter_table('process_request', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
    with op.batch_alter_table('process', schema=None) as batch_op:
        for column in ('meeting_sequence', 'meeting_place', 'meeting_ends', 'meeting_starts', 'meeting_on',
                       'cancel_reason', 'cancelled_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_playbook_id_playbook'), type_='foreignkey')
        batch_op.drop_column('playbook_id')
    op.execute(sa.text("DELETE FROM playbook_step WHERE playbook_id <> 1"))
    with op.batch_alter_table('playbook_step', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_playbook_step_playbook_id_playbook'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_playbook_step_playbook_id'))
        batch_op.drop_constraint(batch_op.f('uq_playbook_step_playbook_id_visit_number_position'), type_='unique')
        batch_op.create_unique_constraint('uq_playbook_step_visit_number_position', ['visit_number', 'position'])
        batch_op.drop_column('playbook_id')
    op.drop_table('playbook')
