"""the playbook's steps in English too, and the anonymous evaluation phones give when a visit closes

Every version's steps get English title, purpose and prompt; where a step still has the default
playbook's Danish wording, its English wording is filled in, so a room that chose English reads
the default playbook in English at once. A step the coordinator reworded stays without English
(it is shown in Danish) until the coordinator writes it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# The default playbook of 0001, each text with its English.
DEFAULT_PLAYBOOK_IN_ENGLISH = {
    "title": {
        "Ramme og formål": "Frame and purpose",
        "Perspektiver": "Perspectives",
        "Formulér kerneopgaven": "Word the core task",
        "Arbejdsopgaver": "Work tasks",
        "Udvikle, fastholde eller afvikle": "Develop, keep or phase out",
        "Handleplan og opfølgning": "Action plan and follow-up",
    },
    "purpose": {
        "Vi sætter rammen for dagen og minder hinanden om, hvem vi er her for.":
            "We set the frame for the day and remind each other whom we are here for.",
        "Vi samler perspektiver på kerneopgaven – målgruppe, effekt, tilgang og ambition – og prioriterer med "
        "prikker.":
            "We gather perspectives on the core task – target group, effect, approach and ambition – and "
            "prioritise with dots.",
        "Vi skriver kerneopgaven sammen ud fra de idéer, der fik flest prikker.":
            "We write the core task together from the ideas that got the most dots.",
        "Vi lister de opgaver, vi bruger vores tid på i dag.": "We list the tasks we spend our time on today.",
        "Vi holder hver opgave op mod kerneopgaven.": "We hold each task up against the core task.",
        "Vi gør beslutningerne til handling.": "We turn the decisions into action.",
    },
    "prompt": {
        "Hvad ville borgerne savne, hvis vores arbejdsplads forsvandt i morgen?":
            "What would the citizens miss if our workplace vanished tomorrow?",
        "Skriv en idé og vælg, hvad den handler om. Sæt derefter dine prikker på de idéer, der betyder mest.":
            "Write an idea and choose what it is about. Then put your dots on the ideas that matter most.",
        "Skriv med på formuleringen. Beskriv værdien for borgeren – ikke aktiviteterne: »læring«, ikke "
        "»undervisning«.":
            "Write the wording together. Describe the value for the citizen – not the activities: “learning”, "
            "not “teaching”.",
        "Hvilke opgaver løser du i en almindelig uge? Skriv én opgave ad gangen.":
            "Which tasks do you do in an ordinary week? Write one task at a time.",
        "Skal opgaven udvikles, fastholdes eller afvikles? Stem, og skriv kort hvorfor – med kerneopgaven som "
        "målestok.":
            "Should the task be developed, kept or phased out? Vote, and write briefly why – with the core task "
            "as the yardstick.",
        "Hvem er ansvarlig, hvornår er fristen, og hvornår følger vi op?":
            "Who is responsible, when is the deadline, and when do we follow up?",
    },
}


def upgrade():
    with op.batch_alter_table('playbook_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('purpose_en', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('prompt_en', sa.String(length=500), server_default='', nullable=False))
    for field, texts in DEFAULT_PLAYBOOK_IN_ENGLISH.items():
        for danish, english in texts.items():
            op.execute(sa.text(f"UPDATE playbook_step SET {field}_en = :english WHERE {field} = :danish")
                       .bindparams(english=english, danish=danish))

    op.create_table('evaluation_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=True),
    sa.Column('change', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_evaluation_answer_visit_id_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_answer'))
    )
    with op.batch_alter_table('evaluation_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_answer_visit_id'), ['visit_id'], unique=False)

    op.create_table('evaluation_receipt',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                            name=op.f('fk_evaluation_receipt_participant_id_participant')),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_evaluation_receipt'))
    )


def downgrade():
    op.drop_table('evaluation_receipt')
    with op.batch_alter_table('evaluation_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_answer_visit_id'))
    op.drop_table('evaluation_answer')
    with op.batch_alter_table('playbook_step', schema=None) as batch_op:
        batch_op.drop_column('prompt_en')
        batch_op.drop_column('purpose_en')
        batch_op.drop_column('title_en')
