"""The core-task library: Danish search (æ, ø, å, old "aa", word forms), filters, who shares our
target group; and the coordinator's target-group vocabulary (map, rename, merge)."""
from after import hold_first_visit, two_areas
from sqlalchemy import select
from world import login

from kerne.insight.library import terms
from kerne.models import AuditEvent, TargetGroup, TargetGroupAlias
from kerne.web.extensions import db


def finds(query: str, text: str) -> bool:
    return terms.Query(query).found(terms.index(text))


def test_search_folds_danish_as_it_is_written():
    text = "Ældre borgere i Aabenraa får læring og tryghed"
    for query in ("ældre", "ÆLDRE", "borgerne", "borger", "åbenrå", "Aabenraa", "lær", "tryg", "få", "aeldre",
                  "AELDRE", "aabenraa", "faa", "laering"):
        assert finds(query, text), query
    for query in ("børn", "eldre", "born"):
        assert not finds(query, text), query


def test_search_folds_both_ways_and_knows_irregular_forms():
    assert finds("ældre", "Aeldre borgere")  # typed without æ in the text, with it in the search
    assert finds("born", "Børn 0-6 år") and finds("boern", "Børn 0-6 år") and finds("børn", "Boern og unge")
    for query in ("barn", "børn", "born", "barnet", "børnene"):
        assert finds(query, "Alle borgere, særligt børnefamilier og ældre"), query
        assert finds(query, "Barnet i centrum"), query
    assert finds("mand", "Mænd over 60") and finds("mænd", "En mand") and finds("hænder", "hånd i hånd")
    assert finds("forældre", "Forælder til et barn") and finds("forælder", "Forældre og børn")
    assert not finds("barn", "Ældre borgere") and not finds("mand", "Kvinder")


def test_a_word_with_danish_letters_finds_only_those_letters_and_plain_letters_find_both():
    """Reading æ and å as a made "så" find "sammen" and "pær" find "pårørende" (an outside test)."""
    text = "Sammen med alle pårørende skaber vi tryghed, så ældre kan bo hjemme"
    for query, found in (("så", True), ("saa", True), ("sammen", True), ("sæmmen", False), ("ælle", False),
                         ("pær", False), ("pår", True), ("paarørende", True), ("par", True), ("aldre", True),
                         ("aeldre", True), ("ældre", True), ("øldre", False)):
        assert finds(query, text) is found, query
    assert terms.Query("så").marked("sammen så") == [("sammen ", False), ("så", True)]


def test_hits_are_marked_word_by_word():
    query = terms.Query("barn aeldre")
    assert query.marked("Børnefamilier, <ældre> & andre") == [
        ("Børnefamilier", True), (", <", False), ("ældre", True), ("> & andre", False)]
    assert terms.Query("").marked("Ældre") == [("Ældre", False)]


def test_target_groups_are_split_only_where_the_person_split_them():
    assert terms.labels("Ældre\nBorgere, der søger ydelser\n\n pårørende ") == [
        "Ældre", "Borgere, der søger ydelser", "pårørende"]
    assert terms.key("  Ældre   Borgere. ") == "ældre borgere"
    assert terms.groups_of(["Ældre\nBørn, unge og deres forældre"], {"ældre": {1}}) == (
        {1}, ["Børn, unge og deres forældre"])


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


def test_the_search_stays_in_the_address_and_its_hits_are_marked_as_text(client, app):
    world = two_areas()
    hold_first_visit(world.process, core_task="Børn <b>lærer</b> & trives")
    login(client, world.first.email)
    answer = client.get("/library/results?q=barn&area=&group=")
    assert answer.headers["HX-Replace-Url"] == "/library?q=barn"
    page = answer.get_data(as_text=True)
    assert "<mark>Børn</mark> &lt;b&gt;lærer&lt;/b&gt; &amp; trives" in page and "<b>" not in page
    assert 'value="barn"' in client.get("/library?q=barn").get_data(as_text=True)


def test_target_groups_are_mapped_renamed_and_merged_and_the_library_follows(client, app):
    world = two_areas()
    hold_first_visit(world.process)  # request: "Skolebørn" and "forældre", draft: "Skolebørn"
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


def test_who_shares_our_target_group_is_found_across_the_organisation_and_people_stay_scoped(client, app):
    world = two_areas()
    db.session.add(TargetGroup(id=50, name="Skolebørn"))
    db.session.add_all([TargetGroupAlias(text="skolebørn", target_group_id=50),
                        TargetGroupAlias(text="ældre borgere", target_group_id=50)])
    hold_first_visit(world.process)
    hold_first_visit(world.elsewhere, core_task="Tryghed i eget hjem")
    login(client, world.leader.email)  # Børn og Unge: Hjemmeplejen Nord is in another area
    entry = client.get(f"/library/{world.process.id}").get_data(as_text=True)
    assert "Hjemmeplejen Nord" in entry and "Tryghed i eget hjem" in entry
    assert "dorte.fisk@example.dk" not in entry and "Dorte Fisk" not in entry  # the other area's pair
    theirs = client.get(f"/library/{world.elsewhere.id}").get_data(as_text=True)
    assert "Tryghed i eget hjem" in theirs and f"/processes/{world.elsewhere.id}" not in theirs
    assert "Dorte Fisk" not in theirs and "Fælles målgrupper: Skolebørn" in theirs  # Fjordskolen shares it
    assert "lise@example.dk" in theirs  # their list names our own contact, whom we may see
    login(client, world.first.email)  # an ambassador, no leader: the library is every staff account's
    assert "<mark>Tryghed</mark> i eget hjem" in client.get("/library?q=tryghed").get_data(as_text=True)


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
