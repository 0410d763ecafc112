"""What the pair and the coordinator read of the rooms' evaluations, and the anonymity rule that limits it."""
import re
from datetime import date

import pytest
from world import ambassador, build, login, unit

from kerne.models import Participant, Process, Visit
from kerne.processes.evaluation import MIN_ANSWERS, TOO_FEW, Answer, Summary, pooled, summarise
from kerne.web.extensions import db
from kerne.workshop import evaluation
from kerne.workshop.visits import close_visit, open_visit

FIVE = [Answer(5, "Mere tid til snak"), Answer(4, ""), Answer(None, "bedre kaffe"), Answer(3, "Alt var godt"),
        Answer(4, "   ")]


def test_four_answers_show_nothing_and_five_show_their_figures_and_texts():
    assert MIN_ANSWERS == 5
    assert summarise(FIVE[:4]) == TOO_FEW == Summary(shown=False)
    assert summarise(FIVE) == Summary(
        shown=True, answers=5, scores=((1, 0), (2, 0), (3, 1), (4, 2), (5, 1)), mean=4.0,
        texts=("Alt var godt", "bedre kaffe", "Mere tid til snak"))  # alphabetical: the order tells nothing


def test_no_answers_and_answers_without_a_score():
    assert summarise([]) == TOO_FEW
    assert summarise([Answer(None, f"tekst {n}") for n in range(5)]).mean is None


def test_a_pairs_figures_pool_only_the_rooms_that_are_shown_on_their_own():
    small = [Answer(1, "Hvem mon skrev dette"), Answer(1, "")]
    assert pooled([FIVE, small]) == summarise(FIVE)  # the pair's total gives the small room away to nobody
    assert pooled([FIVE[:4], FIVE[:4]]) == TOO_FEW  # eight answers, but from two rooms of four
    assert pooled([FIVE, FIVE]).answers == 10


def answered(visit: Visit, *given: tuple[int | None, str]) -> None:
    """Phones of ``visit`` answering its evaluation (the visit closed)."""
    for usefulness, change in given:
        participant = Participant(visit_id=visit.id)
        db.session.add(participant)
        db.session.flush()
        evaluation.answer(visit, participant.id, usefulness, change)
    db.session.commit()


def texts(n: int, prefix: str) -> list[tuple[int, str]]:
    return [(4, f"{prefix} {k}") for k in range(1, n + 1)]


@pytest.fixture
def rooms(client):
    """Our pair's process with visit 1 closed and visit 2 closed, and another pair's process with one visit closed."""
    world = build()
    close_visit(world.visit)
    open_visit(world.second_visit)
    close_visit(world.second_visit)
    area = unit("Ældre", "area")
    home = unit("Plejecenter Solhøj", "workplace", unit("Pleje", "department", area))
    other = unit("Hjemmeplejen", "workplace", unit("Sundhed", "department", area))
    theirs = Process(workplace=home, facilitators=[ambassador("Dina Ø", home), ambassador("Erik Å", other)])
    theirs.visits = [Visit(number=1, scheduled_on=date(2026, 12, 2))]
    db.session.add(theirs)
    db.session.flush()
    open_visit(theirs.visits[0])
    close_visit(theirs.visits[0])
    db.session.commit()
    return world, theirs


def card(page: str) -> str:
    found = re.search(r'<section class="card evaluation-card no-print" id="evaluering">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def test_the_pair_reads_their_visits_answers_on_the_process_page_once_five_answered(client, rooms):
    world, _theirs = rooms
    answered(world.visit, *texts(4, "Første besøg"))
    answered(world.second_visit, *texts(5, "Andet besøg"))
    login(client, world.second.email)
    shown = card(client.get(f"/processes/{world.process.id}").get_data(as_text=True))
    assert "Besøg 1" in shown and "Besøg 2" in shown
    assert "Første besøg" not in shown and "For få svar til at vise noget" in shown  # 4 answers: nothing
    assert all(f"Andet besøg {k}" in shown for k in range(1, 6))  # 5 answers: every text
    assert "5 svar" in shown and "4 i gennemsnit" in shown
    answered(world.visit, (2, "Første besøg 5"))  # the fifth phone of visit 1
    shown = card(client.get(f"/processes/{world.process.id}").get_data(as_text=True))
    assert all(f"Første besøg {k}" in shown for k in range(1, 6)) and "For få svar" not in shown
    assert "3,6 i gennemsnit" in shown


def test_four_answers_show_neither_texts_nor_figures_nor_how_many(client, rooms):
    world, _theirs = rooms
    answered(world.visit, (1, "Kun jeg skrev dette"), (5, ""), (5, ""), (5, ""))
    login(client, world.first.email)
    shown = card(client.get(f"/processes/{world.process.id}").get_data(as_text=True))
    assert "Kun jeg skrev dette" not in shown and "gennemsnit" not in shown and "4 svar" not in shown
    assert "<table" not in shown


def test_the_pair_reads_only_their_own_visits(client, rooms):
    world, theirs = rooms
    answered(theirs.visits[0], *texts(5, "Solhøj"))
    answered(world.visit, *texts(5, "Fjordskolen"))
    login(client, world.first.email)
    assert "Solhøj" not in client.get(f"/processes/{world.process.id}").get_data(as_text=True)
    assert client.get(f"/processes/{theirs.id}").status_code == 404  # outside her processes: as if it did not exist
    assert client.get("/evaluations").status_code == 403


def test_leaders_and_the_workplace_do_not_read_the_evaluation(app, rooms):
    world, _theirs = rooms
    answered(world.visit, *texts(5, "Fjordskolen"))
    leader = app.test_client()
    login(leader, world.leader.email)
    page = leader.get(f"/processes/{world.process.id}")
    assert page.status_code == 200
    assert 'id="evaluering"' not in page.get_data(as_text=True) and "Fjordskolen 1" not in page.get_data(as_text=True)
    assert leader.get("/evaluations").status_code == 403


def test_the_coordinator_reads_every_pair_and_every_visit(client, rooms):
    world, theirs = rooms
    answered(world.visit, *texts(5, "Fjordskolen"))
    answered(world.second_visit, *texts(3, "Lille rum"))
    answered(theirs.visits[0], *texts(6, "Solhøj"))
    login(client, world.coordinator.email)
    assert 'href="/evaluations"' in client.get("/").get_data(as_text=True)  # among the coordinator's tools
    page = client.get("/evaluations").get_data(as_text=True)
    ours, their = page.index("Anna Berg &amp; Bo Dam"), page.index("Dina Ø &amp; Erik Å")
    assert ours < their  # pairs by name
    ours_part, their_part = page[ours:their], page[their:]
    assert ours_part.count("Fjordskolen 1") == 2  # the pair's pooled texts, then visit 1's
    assert "Lille rum" not in page and "For få svar til at vise noget" in ours_part
    assert "Fjordskolen · Besøg 1" in ours_part and "Fjordskolen · Besøg 2" in ours_part
    assert ours_part.count("5 svar") == 2  # the pair counts visit 1 only: visit 2 is not shown on its own
    assert "Solhøj 6" in their_part and "6 svar" in their_part
    assert client.get(f"/processes/{world.process.id}").get_data(as_text=True).count("Fjordskolen 3") == 1
