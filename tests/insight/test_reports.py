"""The leaders' dashboard, the lists behind it and the exports: scoped to a leader's units in
pages, fragments and exports (the core-task library is the whole organisation's, its people scoped);
refreshed by polling; .xlsx and CSV with the same rows."""
import re

import pytest
from after import TODAY, hold_first_visit, hold_second_visit, two_areas
from world import login

from kerne.desk import csvfiles
from kerne.insight import exports, spreadsheet
from kerne.models import ProcessRequest, WorkTask
from kerne.web.extensions import db

PAGES = ["/", "/dashboard", "/dashboard/changes?since=x", "/dashboard/report", "/processes", "/tasks", "/follow-up",
         "/workplaces", "/dashboard/ambassadors", "/conversations", "/requests", "/exports/processes",
         "/exports/processes?format=xlsx", "/exports/tasks", "/exports/tasks?format=plain", "/exports/ambassadors",
         "/exports/registry?format=xlsx"]


def text_of(response) -> str:
    """The answer's text, a spreadsheet's cells, with the library's marks of what a search found taken out."""
    if response.mimetype.endswith("sheet"):
        header, rows = spreadsheet.read(response.data)
        return " ".join(str(v) for row in [header, *rows] for v in row)
    return re.sub(r"</?mark>", "", response.get_data(as_text=True))


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
    # the library is the whole organisation's: the other area's core task, never its people or its process
    library = text_of(client.get("/library/results?q=læring"))
    assert "Vi skaber læring" in library and "Fjordskolen" in library
    entry = text_of(client.get(f"/library/{world.process.id}"))
    assert "Vi skaber læring" in entry and "lise@example.dk" not in entry and "Anna Berg" not in entry
    assert f'href="/processes/{world.process.id}"' not in entry


def test_the_first_area_leader_sees_only_the_first_area(client, world):
    login(client, world.leader.email)
    for path in PAGES:
        text = text_of(client.get(path))
        assert "Hjemmeplejen Nord" not in text and "Tryghed og mestring" not in text, path
    assert "Lektiecafé" in text_of(client.get("/tasks"))
    assert "Vi skaber læring" in text_of(client.get("/library/results?q=læring"))
    assert "Tryghed og mestring" in text_of(client.get("/library/results?q=tryghed"))


@pytest.mark.parametrize("who", ["director", "coordinator"])
def test_the_whole_organisation_sees_both_areas(client, world, who):
    login(client, getattr(world, who).email)
    text = text_of(client.get("/processes"))
    assert "Fjordskolen" in text and "Hjemmeplejen Nord" in text


def figures(html: str) -> dict[str, int]:
    """The key figures and "Kræver handling" of the dashboard: name → number."""
    return {name: int(n) for name, n in re.findall(r'data-figure="([\w-]+)">(\d+)', html)}


def states(html: str) -> dict[str, int]:
    """The first row of the chart of processes by unit, as its table says: state → number."""
    table = html.split('id="chart-units"')[1].split("</table>")[0]
    header = re.findall(r'<th scope="col" class="number">([^<]+)</th>', table)
    first = re.findall(r"<td class=\"number\">(?:<a[^>]*>)?(\d+)", table)[:len(header)]
    return dict(zip(header, map(int, first)))


def test_the_dashboards_figures_and_their_lists_agree(client, world):
    login(client, world.director.email)
    page = client.get("/dashboard").get_data(as_text=True)
    shown = figures(page)
    by_state = states(page)  # the first row: Børn og Unge (Sundhed og Omsorg's process is under Hjemmepleje)
    assert by_state["Opgaver besluttet"] == 1  # Frikvarter lacks a date
    assert shown["overdue"] == 1 and shown["active"] == 2 and shown["defined"] == 2
    assert (shown["develop"], shown["keep"], shown["phase_out"]) == (1, 0, 1)
    assert re.search(r'data-figure="defined">2</span>\s*af 3 arbejdspladser', page)
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
    assert f'hx-get="/dashboard/changes?since={version}&amp;period=12m"' in page
    unchanged = client.get(f"/dashboard/changes?since={version}")
    assert unchanged.status_code == 204 and unchanged.data == b""
    task = db.session.query(WorkTask).filter_by(title="Lektiecafé").one()
    assert client.post(f"/processes/{world.process.id}/tasks/{task.id}/follow-up",
                       data={f"mark-{task.id}-mark": "done"}).status_code == 302
    changed = client.get(f"/dashboard/changes?since={version}")
    fragment = changed.get_data(as_text=True)
    assert changed.status_code == 200 and 'id="figures"' in fragment
    assert "<html" not in fragment and figures(fragment)["overdue"] == 0
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


def test_a_leader_without_units_sees_nothing_and_a_filter_it_cannot_read_is_refused(client, world):
    world.leader.units = []
    db.session.add(ProcessRequest(workplace=world.care_home, contact_name="X", contact_email="x@example.dk",
                                  visit1_start=TODAY, visit1_end=TODAY, visit2_start=TODAY, visit2_end=TODAY))
    db.session.commit()
    login(client, world.leader.email)
    assert figures(client.get("/dashboard").get_data(as_text=True))["waiting"] == 0
    assert client.get("/processes?state=nonsense&requested=20x").status_code == 422
    assert client.get("/processes?colour=blue").status_code == 200  # a name no list reads is no filter
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


def test_every_count_an_area_leader_sees_is_within_her_scope(client, world):
    """Bo Dam works in Børn og Unge and facilitates a process there and one in Sundhed og Omsorg: the first
    area's leader counts one of them, in the list, the export and the load chart, as the list behind it shows."""
    login(client, world.leader.email)
    page = client.get("/dashboard/ambassadors").get_data(as_text=True)
    bo = page.split("Bo Dam</a>")[1].split("</tr>")[0]
    assert f'<td class="number"><a href="/processes?ambassador={world.second.id}&amp;cancelled=no">1</a> / 3</td>' in bo
    assert client.get(f"/processes?ambassador={world.second.id}&cancelled=no").get_data(as_text=True).count(
        'class="process"') == 1
    rows = csvfiles.read(client.get("/exports/ambassadors?format=plain").data, exports.AMBASSADOR_LOAD_COLUMNS)
    assert {r.values["navn"]: r.values["forløb"] for r in rows} == {"Anna Berg": "1", "Bo Dam": "1", "Carl Eg": "0"}
    load = client.get("/dashboard").get_data(as_text=True).split('id="chart-load"')[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="number">(?:<a[^>]*>)?(\d+)', load)[:3] == [
        ("0 forløb", "1"), ("1 forløb", "2"), ("2 forløb", "0")]
    # his commitment to facilitate at another workplace counts his processes wherever they are
    assert '<span class="badge commitment-met">' in bo


def test_the_change_check_is_per_scope(client, world, app):
    other = app.test_client()
    login(client, world.other_leader.email)  # Sundhed og Omsorg
    page = client.get("/dashboard").get_data(as_text=True)
    version = re.search(r'data-version="([0-9a-f]+)"', page).group(1)
    poll = f"/dashboard/changes?since={version}&period=12m"
    login(other, world.coordinator.email)  # someone signs in: nothing in her figures changed
    assert client.get(poll).status_code == 204
    task = db.session.query(WorkTask).filter_by(title="Lektiecafé").one()  # Børn og Unge's follow-up
    assert other.post(f"/processes/{world.process.id}/tasks/{task.id}/follow-up",
                      data={f"mark-{task.id}-mark": "done"}).status_code == 302
    assert client.get(poll).status_code == 204
    login(other, world.leader.email)
    assert other.get(f"/dashboard/changes?since={version}&period=12m").status_code == 200  # another scope
    login(other, world.coordinator.email)
    assert other.post(f"/processes/{world.elsewhere.id}/cancel", data={"reason": "Lukker"}).status_code == 302
    changed = client.get(poll)
    assert changed.status_code == 200 and 'id="figures"' in changed.get_data(as_text=True)
