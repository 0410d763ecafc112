"""The core-task library: Danish search (æ, ø, å, old "aa", word forms), filters, who shares our
target group; and the coordinator's target-group vocabulary (map, rename, merge)."""
from after import hold_first_visit, two_areas
from sqlalchemy import select
from world import login

from kerne.insight.library import terms
from kerne.models import AuditEvent, TargetGroup, TargetGroupAlias
from kerne.web.extensions import db


def test_search_folds_danish_as_it_is_written():
    stems = set(terms.words("Ældre borgere i Aabenraa får læring og tryghed"))
    text = terms.fold("Ældre borgere i Aabenraa får læring og tryghed")
    for query in ("ældre", "ÆLDRE", "borgerne", "borger", "åbenrå", "Aabenraa", "lær", "tryg", "få"):
        assert terms.found(terms.query_words(query), stems, text), query
    for query in ("børn", "aeldre", "eldre"):
        assert not terms.found(terms.query_words(query), stems, text), query
    assert terms.labels("Ældre; pårørende, frivillige\n") == ["Ældre", "pårørende", "frivillige"]
    assert terms.key("  Ældre   Borgere. ") == "ældre borgere"
    assert terms.groups_of(["Ældre; Børn"], {"ældre": {1}}) == ({1}, ["Børn"])


def test_the_library_lists_locked_core_tasks_with_search_and_filters(client, app):
    world = two_areas()
    hold_first_visit(world.process)
    hold_first_visit(world.elsewhere, core_task="Tryghed og mestring for ældre borgere i eget hjem")
    login(client, world.coordinator.email)
    page = client.get("/library").get_data(as_text=True)
    assert "2 af 2 kerneopgaver" in page and "Fjordskolen" in page and "Hjemmeplejen Nord" in page
    found = client.get("/library/results?q=ældre+borgerne").get_data(as_text=True)
    assert "<html" not in found and "Hjemmeplejen Nord" in found and "Fjordskolen" not in found
    area = world.care_home.parent.parent.id
    assert "Fjordskolen" not in client.get(f"/library?area={area}").get_data(as_text=True)
    assert "0 af 2" in client.get("/library/results?q=zebra").get_data(as_text=True)


def test_target_groups_are_mapped_renamed_and_merged_and_the_library_follows(client, app):
    world = two_areas()
    hold_first_visit(world.process)  # request: "Skolebørn; forældre", draft: "Skolebørn"
    world.elsewhere.target_groups = "Forældre til ældre"
    hold_first_visit(world.elsewhere, core_task="Tryghed for ældre og deres pårørende")
    login(client, world.coordinator.email)
    page = client.get("/target-groups").get_data(as_text=True)
    assert "Skolebørn" in page and "Forældre til ældre" in page and "Ingen målgrupper endnu." in page
    assert client.post("/target-groups", data={"name": "Forældre"}).status_code == 302
    assert client.post("/target-groups", data={"name": "Forældre"}).status_code == 422  # taken
    parents = db.session.scalar(select(TargetGroup).where(TargetGroup.name == "Forældre"))
    # the vocabulary's own name maps at once ("forældre" in the request); map the other free text too
    assert client.post("/target-groups/aliases", data={"text": "Forældre til ældre", "groups": parents.id}) \
        .status_code == 302
    entry = client.get(f"/library/{world.process.id}").get_data(as_text=True)
    assert "Hvem deler vores målgruppe?" in entry and "Hjemmeplejen Nord" in entry
    assert "mailto:" in entry  # a way to contact them
    assert "Hjemmeplejen Nord" in client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert f"group={parents.id}" not in entry
    filtered = client.get(f"/library?group={parents.id}").get_data(as_text=True)
    assert "Fjordskolen" in filtered and "Hjemmeplejen Nord" in filtered

    assert client.post("/target-groups/aliases", data={"text": "Skolebørn", "new_group": "Børn i skolealderen"}) \
        .status_code == 302
    school = db.session.scalar(select(TargetGroup.id).where(TargetGroup.name == "Børn i skolealderen"))
    parents = parents.id
    assert client.post(f"/target-groups/{school}/rename", data={"name": "Skolebørn 6-16 år"}).status_code == 302
    assert client.post(f"/target-groups/{school}/merge", data={"into": parents}).status_code == 302
    db.session.expire_all()
    assert db.session.get(TargetGroup, school) is None
    assert {a.text for a in db.session.scalars(select(TargetGroupAlias).where(
        TargetGroupAlias.target_group_id == parents))} >= {"forældre", "forældre til ældre", "skolebørn",
                                                               "børn i skolealderen", "skolebørn 6-16 år"}
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.not_like("auth.%")).order_by(AuditEvent.id)).all() == [
        "target_group.create", "target_group.map", "target_group.map", "target_group.rename", "target_group.merge"]
    refused = client.post(f"/target-groups/{parents}/merge", data={"into": parents})
    assert refused.status_code == 422


def test_who_shares_our_target_group_stays_within_what_a_leader_sees(client, app):
    world = two_areas()
    db.session.add(TargetGroup(id=50, name="Skolebørn"))
    db.session.add_all([TargetGroupAlias(text="skolebørn", target_group_id=50),
                        TargetGroupAlias(text="ældre borgere", target_group_id=50)])
    hold_first_visit(world.process)
    hold_first_visit(world.elsewhere, core_task="Tryghed i eget hjem")
    login(client, world.leader.email)
    entry = client.get(f"/library/{world.process.id}").get_data(as_text=True)
    assert "Hjemmeplejen Nord" not in entry
    login(client, world.director.email)
    assert "Hjemmeplejen Nord" in client.get(f"/library/{world.process.id}").get_data(as_text=True)


def test_counts_read_right_for_one_and_for_more_in_danish_and_english(client, app):
    world = two_areas()
    hold_first_visit(world.process)  # "Skolebørn" in the request and the draft, "forældre" in the request
    login(client, world.coordinator.email)
    page = client.get("/target-groups").get_data(as_text=True)
    assert "(brugt 2 gange)" in page and "(brugt 1 gang)" in page
    assert "1 af 1 kerneopgave<" in client.get("/library").get_data(as_text=True)
    client.set_cookie("lang", "en")
    page = client.get("/target-groups").get_data(as_text=True)
    assert "(used 2 times)" in page and "(used 1 time)" in page and "1 times" not in page
    assert "1 of 1 core task<" in client.get("/library").get_data(as_text=True)
