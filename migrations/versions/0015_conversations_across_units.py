"""conversations across units: a talk proposed from the core-task library between two workplaces that share a
target group, tracked as proposed, agreed and held; target groups split only where the person split them

Request and process target groups were split on commas too, so "Borgere, der søger ydelser" became two.
They are a list now, one group a line: the semicolons people used to separate groups become line breaks,
and a comma stays part of the group's name.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

LISTS = (('process_request', 'target_groups'), ('process', 'target_groups'))


def _each_line(separator: str, joiner: str) -> None:
    """Every list of target groups, with ``separator`` (and the spaces around it) made ``joiner``."""
    bind = op.get_bind()
    for table, column in LISTS:
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} LIKE :has"),
                            {"has": f"%{separator}%"}).all()
        for row_id, text in rows:
            parts = [part.strip() for part in text.split(separator)]
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :text WHERE id = :id"),
                         {"text": joiner.join(p for p in parts if p), "id": row_id})


def upgrade():
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_process_id', sa.Integer(), nullable=True),
    sa.Column('target_group', sa.String(length=120), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['from_unit_id'], ['org_unit.id'], name=op.f('fk_conversation_from_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['to_unit_id'], ['org_unit.id'], name=op.f('fk_conversation_to_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['to_process_id'], ['process.id'], name=op.f('fk_conversation_to_process_id_process')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'],
                            name=op.f('fk_conversation_proposed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation'))
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_to_unit_id'), ['to_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_status'), ['status'], unique=False)
    _each_line(';', '\n')


def downgrade():
    _each_line('\n', '; ')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_status'))
        batch_op.drop_index(batch_op.f('ix_conversation_to_unit_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_from_unit_id'))
    op.drop_table('conversation')
