"""The leaders' dashboard, the lists behind it and the exports: scoped to a leader's units in
pages, fragments, exports and search; refreshed by polling; .xlsx and CSV with the same rows."""
import re

import pytest
from after import TODAY, hold_first_visit, hold_second_visit, two_areas
from world import login

from kerne.desk import csvfiles
from kerne.insight import spreadsheet
from kerne.models import ProcessRequest, WorkTask
from kerne.web.extensions import db

PAGES = ["/", "/dashboard", "/dashboard/changes?since=x", "/processes", "/tasks", "/follow-up", "/workplaces",
         "/dashboard/ambassadors", "/library", "/library/results?q=", "/requests", "/exports/processes",
         "/exports/processes?format=xlsx", "/exports/tasks", "/exports/tasks?format=plain", "/exports/ambassadors",
         "/exports/registry?format=xlsx"]


def text_of(response) -> str:
    if response.mimetype.endswith("sheet"):
        header, rows = spreadsheet.read(response.data)
        return " ".join(str(v) for row in [header, *rows] for v in row)
    return response.get_data(as_text=True)


@pytest.fixture
def world(app):
    world = two_areas()
    hold_first_visit(world.process, people=12)
    hold_second_visit(world.process, [("Lektiecafé", "develop", "Lise", -2), ("Frikvarter", "phase_out", "", None)],
                      people=9)
    hold_first_visit(world.elsewhere, core_task="Tryghed og mestring i eget hjem for ældre borgere", people=7)
    return world


def test_an_area_leader_never_sees_another_areas_processes(client, world):
    login(client, world.other_leader.email)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        text = text_of(response)
        assert "Fjordskolen" not in text and "Lektiecafé" not in text and "Vi skaber læring" not in text, path
    assert "Hjemmeplejen Nord" in text_of(client.get("/processes"))
    assert "Tryghed og mestring" in text_of(client.get("/library?q=tryghed"))
    for path in (f"/processes/{world.process.id}", f"/processes/{world.process.id}/poster",
                 f"/processes/{world.process.id}/meeting.ics"):
        assert client.get(path).status_code == 404, path  # outside her units: as if it did not exist
    assert client.get(f"/library/{world.process.id}").status_code == 404


def test_the_first_area_leader_sees_only_the_first_area(client, world):
    login(client, world.leader.email)
    for path in PAGES:
        text = text_of(client.get(path))
        assert "Hjemmeplejen Nord" not in text and "Tryghed og mestring" not in text, path
    assert "Lektiecafé" in text_of(client.get("/tasks"))
    assert "Vi skaber læring" in text_of(client.get("/library/results?q=læring"))


@pytest.mark.parametrize("who", ["director", "coordinator"])
def test_the_whole_organisation_sees_both_areas(client, world, who):
    login(client, getattr(world, who).email)
    text = text_of(client.get("/processes"))
    assert "Fjordskolen" in text and "Hjemmeplejen Nord" in text


def figures(html: str) -> dict[str, int]:
    """The tiles of the dashboard: label → number."""
    return {label: int(n) for n, label in re.findall(
        r'<span class="tile-number">(\d+)</span> <span class="tile-label">([^<]+)</span>', html)}


def test_the_dashboards_figures_and_their_lists_agree(client, world):
    login(client, world.director.email)
    page = client.get("/dashboard").get_data(as_text=True)
    tiles = figures(page)
    assert tiles["Opgaver besluttet"] == 1 and tiles["Kerneopgave defineret"] == 1  # Frikvarter lacks a date
    assert tiles["Overskredet"] == 1 and tiles["Snart"] == 0
    assert re.search(r">2</a>\s*af 3 arbejdspladser", page)
    processes = client.get("/processes?state=tasks_decided").get_data(as_text=True)
    assert processes.count('class="process"') == 1 and "Fjordskolen" in processes
    overdue = client.get("/tasks?follow_up=overdue").get_data(as_text=True)
    assert "Lektiecafé" in overdue and "Frikvarter" not in overdue
    bucket = client.get("/processes?visit=1&participants=11-20").get_data(as_text=True)
    assert "Fjordskolen" in bucket and "Hjemmeplejen" not in bucket
    missing = client.get("/workplaces?core_task=no").get_data(as_text=True)
    assert "Børnehuset Mågen" in missing and "Fjordskolen" not in missing


def test_every_chart_has_a_table_and_no_style_attributes(client, world):
    login(client, world.coordinator.email)
    page = client.get("/dashboard").get_data(as_text=True)
    charts = re.findall(r'<figure class="chart"', page)
    assert len(charts) == 7 and page.count('class="chart-table"') == 7
    assert page.count('<svg class="chart-svg"') == 7 and page.count('aria-hidden="true" focusable="false"') == 7
    assert "style=" not in page and "<script>" not in page.replace('<script type="application/json"', "")
    assert 'tabindex="-1"' in page  # the drawing's links stay out of the tab order; the table's are in it


def test_the_dashboard_answers_204_until_something_changes(client, world):
    login(client, world.leader.email)
    page = client.get("/dashboard").get_data(as_text=True)
    version = re.search(r'data-version="([0-9a-f]+)"', page).group(1)
    assert f'hx-get="/dashboard/changes?since={version}"' in page
    unchanged = client.get(f"/dashboard/changes?since={version}")
    assert unchanged.status_code == 204 and unchanged.data == b""
    task = db.session.query(WorkTask).filter_by(title="Lektiecafé").one()
    assert client.post(f"/processes/{world.process.id}/tasks/{task.id}/follow-up",
                       data={f"mark-{task.id}-mark": "done"}).status_code == 302
    changed = client.get(f"/dashboard/changes?since={version}")
    fragment = changed.get_data(as_text=True)
    assert changed.status_code == 200 and 'id="figures"' in fragment
    assert "<html" not in fragment and figures(fragment)["Overskredet"] == 0
    # the fragment carries the new version: asked with it, the answer is 204 again
    newer = re.search(r'data-version="([0-9a-f]+)"', fragment).group(1)
    assert newer != version and client.get(f"/dashboard/changes?since={newer}").status_code == 204


def test_xlsx_reads_back_with_the_same_rows_as_the_csv_and_formulas_as_text(client, world):
    task = db.session.query(WorkTask).filter_by(title="Lektiecafé").one()
    task.title, task.owner, task.rationale = "=HYPERLINK(\"http://x\";\"klik\")", "+45 12 34", "@SUM(A1)"
    world.request.contact_name = "-2+3"
    db.session.commit()
    login(client, world.coordinator.email)
    for path in ("/exports/tasks", "/exports/processes", "/exports/ambassadors", "/exports/registry"):
        header, xlsx_rows = spreadsheet.read(client.get(f"{path}?format=xlsx").data)
        csv_rows = csvfiles.read(client.get(f"{path}?format=csv").data, tuple(header))
        plain_rows = csvfiles.read(client.get(f"{path}?format=plain").data, tuple(header))
        as_text = [{h: ("" if v is None else v.date().isoformat() if hasattr(v, "date") else str(v))
                    for h, v in zip(header, row)} for row in xlsx_rows]
        assert [r.values for r in csv_rows] == as_text == [r.values for r in plain_rows], path
    raw = client.get("/exports/tasks?format=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in raw and "'+45 12 34" in raw and "'@SUM(A1)" in raw
    header, rows = spreadsheet.read(client.get("/exports/tasks?format=xlsx").data)
    cells = {value for row in rows for value in row}
    assert {"=HYPERLINK(\"http://x\";\"klik\")", "+45 12 34", "@SUM(A1)"} <= cells
    from io import BytesIO

    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(client.get("/exports/tasks?format=xlsx").data)).active
    formula_like = [c for row in sheet.iter_rows() for c in row if str(c.value or "").startswith(("=", "+", "@"))]
    assert formula_like and all(c.data_type == "s" and c.quotePrefix for c in formula_like)


def test_a_leader_without_units_sees_nothing_and_an_unknown_filter_is_ignored(client, world):
    world.leader.units = []
    db.session.add(ProcessRequest(workplace=world.care_home, contact_name="X", contact_email="x@example.dk",
                                  visit1_start=TODAY, visit1_end=TODAY, visit2_start=TODAY, visit2_end=TODAY))
    db.session.commit()
    login(client, world.leader.email)
    assert figures(client.get("/dashboard").get_data(as_text=True))["Anmodet"] == 0
    assert client.get("/processes?state=nonsense&requested=20x").status_code == 200
    assert client.get("/exports/processes?format=pdf").status_code == 404


def test_the_pair_sees_what_is_due_in_their_own_processes(client, world):
    login(client, world.first.email)  # Anna Berg facilitates the Fjordskolen process, and is no leader
    page = client.get("/follow-up").get_data(as_text=True)
    assert "Lektiecafé" in page and "Hjemmeplejen Nord" not in page
    assert client.get("/dashboard").status_code == 403 and client.get("/exports/tasks").status_code == 403


def test_spreadsheet_headers_are_danish_words(client, world):
    """They read besøg_1, kontakt_email, forløb_pr_sæson: names from the code."""
    login(client, world.coordinator.email)
    header, _rows = spreadsheet.read(client.get("/exports/processes?format=xlsx").data)
    assert header == ["forløb", "arbejdsplads", "afdeling", "område", "status", "anmodet", "ambassadører", "besøg 1",
                      "besøg 2", "deltagere ved besøg 1", "deltagere ved besøg 2", "kerneopgave", "målgrupper",
                      "kontaktperson", "kontaktpersonens e-mail", "besluttede opgaver", "fulgt op", "afsluttet",
                      "begrundelse for aflysning"]
    for path in ("/exports/tasks", "/exports/ambassadors", "/audit.csv"):
        header, _rows = spreadsheet.read(client.get(f"{path}?format=xlsx").data)
        assert [name for name in header if "_" in name] == [], path
