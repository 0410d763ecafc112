"""The audit log records a change in the change's own transaction."""
import json

from world import build

from kerne import audit
from kerne.extensions import db
from kerne.models import AuditEvent


def test_an_event_names_the_subject_and_keeps_its_detail(app):
    world = build()
    with app.test_request_context():
        audit.record("ambassador.update", world.first, user=world.coordinator, capacity=(3, 2))
    db.session.commit()
    event = db.session.scalars(db.select(AuditEvent)).one()
    assert (event.user_id, event.action, event.subject_type, event.subject_id) == (
        world.coordinator.id, "ambassador.update", "ambassador", world.first.id)
    assert json.loads(event.detail) == {"capacity": [3, 2]}


def test_an_event_of_a_change_rolled_back_is_gone_with_it(app):
    build()
    audit.record("org.delete", None, name="Fjordskolen")
    db.session.rollback()
    assert db.session.scalars(db.select(AuditEvent)).all() == []
