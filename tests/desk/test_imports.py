"""Imports: a preview before anything is written, every problem of a line in Danish, named by its column."""
import base64
import io

import pytest
from sqlalchemy import func, select
from world import build, confirm_import, hidden, login, upload

from kerne.models import Ambassador
from kerne.web.extensions import db

HEADER = "id;name;email;workplace;profession;capacity\n"


@pytest.fixture
def coordinator(client):
    world = build()
    world.first.external_id = "A-1"
    db.session.commit()
    login(client, world.coordinator.email)
    return world


def registry() -> list[tuple]:
    db.session.commit()
    return sorted((a.external_id or "", a.name, a.email, a.workplace.name) for a in db.session.scalars(select(Ambassador)))


def preview(client, text: str):
    return upload(client, "/ambassadors/import", text.encode())


DOUBLE = (HEADER + "A-9;Dobbelt Person;anna.berg@example.dk;Børnehuset Mågen;Lærer;3\n"
          ";Bo Dam;bo.dam@example.dk;Børnehuset Mågen;Pædagog;3\n"
          "A-5;Ny Person;ny@example.dk;Fjordskolen;Lærer;2\n")


def test_an_import_shows_new_changed_rekeyed_and_unchanged_and_writes_nothing_before_confirmation(client, coordinator):
    before = registry()
    response = preview(client, DOUBLE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert registry() == before  # nothing written
    assert "Får et nyt id" in page and "Anna Berg" in page
    for change in ("<code>id</code>: <del>A-1</del> → <ins>A-9</ins>",
                   "<code>name</code>: <del>Anna Berg</del> → <ins>Dobbelt Person</ins>",
                   "<code>workplace</code>: <del>Fjordskolen</del> → <ins>Børnehuset Mågen</ins>"):
        assert change in page
    assert "<dt>Nye</dt><dd>1</dd>" in page and "<dt>Uændrede</dt><dd>1</dd>" in page
    assert "<dt>Nyt id</dt><dd>1</dd>" in page and "<dt>Ændrede</dt><dd>0</dd>" in page

    # a new id for someone registered needs an explicit yes
    refused = confirm_import(client, response)
    assert refused.status_code == 422 and "Sæt kryds, hvis de skal have det nye id." in refused.get_data(as_text=True)
    assert registry() == before

    done = confirm_import(client, response, rekey="y")
    assert done.status_code == 302
    assert ("A-9", "Dobbelt Person", "anna.berg@example.dk", "Børnehuset Mågen") in registry()
    assert "2 ambassadører er importeret." in client.get("/ambassadors").get_data(as_text=True)


def test_one_imported_ambassador_is_singular(client, coordinator):
    done = confirm_import(client, preview(client, HEADER + "A-5;Ny Person;ny@example.dk;Fjordskolen;Lærer;2\n"))
    assert done.status_code == 302
    assert "1 ambassadør er importeret." in client.get("/ambassadors").get_data(as_text=True)


def test_a_preview_the_registry_changed_under_is_not_applied(client, coordinator):
    shown = preview(client, HEADER + "A-1;Anna Bergholt;anna.berg@example.dk;Fjordskolen;Lærer;3\n")
    coordinator.first.workplace = coordinator.other_workplace
    db.session.commit()
    stale = confirm_import(client, shown)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Registret er ændret" in page
    assert registry()[-1][1] == "Anna Berg"
    # the page now shows what the file does to the registry as it is, and that can be confirmed
    assert "<del>Børnehuset Mågen</del> → <ins>Fjordskolen</ins>" in page
    assert client.post("/ambassadors/import/confirm", data={"file_data": hidden(page, "file_data"),
                                                            "digest": hidden(page, "digest")}).status_code == 302
    assert registry()[-1][1:] == ("Anna Bergholt", "anna.berg@example.dk", "Fjordskolen")


def test_a_file_that_changes_nothing_says_so(client, coordinator):
    page = preview(client, HEADER + "A-1;Anna Berg;anna.berg@example.dk;Fjordskolen;Lærer;3\n").get_data(as_text=True)
    assert "Filen ændrer intet i registret." in page and "import/confirm" not in page


def test_confirming_is_the_coordinators_with_a_token_and_a_readable_file(client, app, coordinator):
    data = {"file_data": base64.b64encode(DOUBLE.encode()).decode(), "digest": "x"}
    assert client.post("/ambassadors/import/confirm", data=data, csrf=False).status_code == 400
    assert client.post("/ambassadors/import/confirm", data={**data, "file_data": "ikke base64!"}).status_code == 400
    assert client.post("/ambassadors/import/confirm", data={"digest": "x"}).status_code == 400
    anonymous = app.test_client()
    assert anonymous.post("/ambassadors/import/confirm", data=data, csrf=False).status_code in (302, 400)
    ambassador = app.test_client()
    login(ambassador, coordinator.first.email)
    assert ambassador.post("/ambassadors/import/confirm", data=data).status_code == 403
    assert ambassador.post("/ambassadors/import", data={}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Ambassador)) == 3


def test_a_row_with_one_persons_id_and_another_persons_email_is_refused(client, coordinator):
    response = preview(client, HEADER + "A-1;Anna Berg;bo.dam@example.dk;Fjordskolen;Lærer;3\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kolonnen email: »bo.dam@example.dk« er e-mailen på Bo Dam, ikke på id A-1 (Anna Berg)." in page


@pytest.mark.parametrize(("data", "wanted", "unwanted"), [
    # every problem of a line, in Danish, named by the file's column
    (HEADER + "A-7;Tre Tal;ikke-en-mail;Findes Ikke;Lærer;tre\n",
     ["Linje 2: Kolonnen email: Skriv en gyldig e-mailadresse.",
      "Linje 2: Kolonnen capacity: Skriv et helt tal, ikke »tre«.",
      "Linje 2: Kolonnen workplace: Arbejdspladsen »Findes Ikke« findes ikke."],
     ["Not a valid", "Arbejdsmail", "Forløb pr. sæson", "Mellem 0 og 20"]),
    (HEADER + "A-7;;x@example.dk;;Lærer;3\n",
     ["Linje 2: Kolonnen name: Feltet skal udfyldes.", "Linje 2: Kolonnen workplace: Feltet skal udfyldes."],
     ["»« findes ikke"]),
    (b"\n\n \n", ["Filen er tom."], ["mangler kolonnerne", "Linje"]),
    (HEADER.encode() + "A-7;Søren Ø;s@example.dk;Fjordskolen;Lærer;3\n".encode() +
     "A-8;Åse Æble;a@example.dk;Fjordskolen;Lærer;3\n".encode("latin-1"),
     ["Linje 3: Linjen er ikke gemt som UTF-8"], ["Linje 2"]),
])
def test_problems_of_a_file(client, coordinator, data, wanted, unwanted):
    response = preview(client, data) if isinstance(data, str) else upload(client, "/ambassadors/import", data)
    page = response.get_data(as_text=True).replace("</li><li>", "\n")
    assert response.status_code == 422
    for text in wanted:
        assert text in page
    for text in unwanted:
        assert text not in page


def test_no_file_chosen_is_not_a_line(client, coordinator):
    for path in ("/ambassadors/import", "/requests/import", "/org/import"):
        page = client.post(path, data={}, content_type="multipart/form-data").get_data(as_text=True)
        assert "Vælg en CSV-fil." in page and "Linje 1" not in page


def test_a_typed_capacity_that_is_no_number_is_refused_in_danish(client, coordinator):
    data = {"name": "Dorte Fisk", "email": "dorte@example.dk", "workplace": coordinator.workplace.id,
            "profession": "Sygeplejerske", "capacity": "tre", "active": "y"}
    response = client.post("/ambassadors/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Skriv et helt tal, ikke »tre«." in page and "Not a valid" not in page


def test_org_and_request_imports_count_in_danish(client, coordinator):
    response = client.post("/org/import", data={"file": (io.BytesIO(b"id,name,kind\nK,Kultur,omr\xc3\xa5de\n"), "o.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert "1 enhed er importeret." in client.get("/org").get_data(as_text=True)


def test_the_cli_shows_the_changes_and_applies_a_new_id_only_when_told(runner, tmp_path, coordinator):
    path = tmp_path / "a.csv"
    path.write_text(DOUBLE, encoding="utf-8")
    refused = runner.invoke(args=["import-ambassadors", str(path), "--yes"])
    assert refused.exit_code == 1
    assert "rekeyed Dobbelt Person (id: 'A-1' -> 'A-9'; name: 'Anna Berg' -> 'Dobbelt Person';" in refused.output
    assert "1 new, 0 changed, 1 rekeyed, 1 unchanged" in refused.output
    declined = runner.invoke(args=["import-ambassadors", str(path), "--rekey"], input="n\n")
    assert declined.exit_code == 1
    assert ("A-1", "Anna Berg", "anna.berg@example.dk", "Fjordskolen") in registry()
    applied = runner.invoke(args=["import-ambassadors", str(path), "--rekey"], input="y\n")
    assert applied.exit_code == 0 and "2 ambassadors imported" in applied.output
    assert ("A-9", "Dobbelt Person", "anna.berg@example.dk", "Børnehuset Mågen") in registry()


def test_the_cli_names_a_file_problem_without_a_line(runner, tmp_path, coordinator):
    path = tmp_path / "tom.csv"
    path.write_text("\n\n", encoding="utf-8")
    result = runner.invoke(args=["import-requests", str(path)])
    assert result.exit_code == 1 and f"{path}: Filen er tom." in result.output
