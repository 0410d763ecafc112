"""What part of the organisation each person sees (kerne/web/scope.py)."""
from types import SimpleNamespace

from world import unit, user

from kerne.models import OrgUnit
from kerne.web import scope
from kerne.web.extensions import db


def _tree():
    north, south = unit("Nord", "area"), unit("Syd", "area")
    schools, care = unit("Skoler", "department", north), unit("Pleje", "department", south)
    school, home = unit("Fjordskolen", "workplace", schools), unit("Plejehjemmet Eg", "workplace", care)
    db.session.flush()
    return SimpleNamespace(north=north, south=south, schools=schools, care=care, school=school, home=home)


def test_descendants_of_several_roots():
    children = {None: [1, 2], 1: [3], 3: [4, 5], 2: [6]}
    assert scope.descendants(children, [3, 2]) == {2, 3, 4, 5, 6}
    assert scope.descendants(children, []) == set()


def test_an_area_leader_sees_the_area_and_everything_below_it(app):
    tree = _tree()
    leader = user("nord@example.dk", "leader")
    leader.units = [tree.north]
    db.session.flush()
    assert scope.visible_unit_ids(leader) == {tree.north.id, tree.schools.id, tree.school.id}
    assert scope.sees_unit(leader, tree.school.id) and not scope.sees_unit(leader, tree.home.id)


def test_a_workplace_leader_sees_only_the_workplace(app):
    tree = _tree()
    leader = user("skole@example.dk", "leader")
    leader.units = [tree.school]
    db.session.flush()
    assert scope.visible_unit_ids(leader) == {tree.school.id}


def test_coordinators_and_whole_organisation_leaders_see_everything(app):
    _tree()
    med = user("med@example.dk", "leader")
    med.sees_whole_organisation = True
    coordinator = user("k@example.dk", "coordinator")
    db.session.flush()
    assert scope.visible_unit_ids(med) is None and scope.visible_unit_ids(coordinator) is None
    assert db.session.query(OrgUnit).filter(scope.unit_filter(med, OrgUnit.id)).count() == 6


def test_an_ambassador_without_leadership_sees_no_units(app):
    tree = _tree()
    ambassador = user("a@example.dk", "ambassador")
    ambassador.sees_whole_organisation = True  # meaningless without the leader role
    ambassador.units = [tree.north]
    db.session.flush()
    assert scope.visible_unit_ids(ambassador) == frozenset()


def test_unit_filter_limits_a_query(app):
    tree = _tree()
    leader = user("syd@example.dk", "leader")
    leader.units = [tree.care]
    db.session.flush()
    names = db.session.scalars(db.select(OrgUnit.name).where(scope.unit_filter(leader, OrgUnit.id))).all()
    assert sorted(names) == ["Pleje", "Plejehjemmet Eg"]
