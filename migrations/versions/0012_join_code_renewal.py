"""visit.join_code_issued_at: an open visit whose join code has expired can be given a new one

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 15:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_code_issued_at', sa.DateTime(), nullable=True))
    # Until now a code was issued when its visit opened.
    op.execute("UPDATE visit SET join_code_issued_at = opened_at WHERE join_code IS NOT NULL")


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('join_code_issued_at')
