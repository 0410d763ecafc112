"""Screenshots of the room for docs/screens/: the projector at 1920 x 1080 in every kind of step, and the
facilitators' console at 1280 x 800.

A fictional room (Børnehuset Mågen, ten phones) is written to a fresh SQLite database and served by
gunicorn on loopback; Chromium signs in as one of the pair and drives the visit through the console's
own routes, as a facilitator would, taking a picture at each stop. The pictures are written as
palette PNGs (Pillow), which keeps each well under 150 KB.

    .venv/bin/python bench/screens.py [--out docs/screens]      # or: make screens
"""
import argparse
import io
import tempfile
from datetime import date, timedelta
from pathlib import Path

from _harness import ROOT, SECRET, Gunicorn, server_env

PROJECTOR = {"width": 1920, "height": 1080}
CONSOLE = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "skaermbilleder"

CHECK_IN = ["Et trygt sted at være, mens forældrene arbejder", "Nogen der kender deres barn og ser det hver dag",
            "Legen med vennerne", "Hjælp til at komme godt i skole", "Sproget – vi læser og synger hver dag",
            "Ro og faste rutiner", "Et sted at lære at være sammen med andre", "Voksne der lytter",
            "Udeliv og naturen bag huset", "Sparring til forældre, der er i tvivl",
            "Tidlig hjælp, når et barn har det svært", "Fællesskabet mellem familierne"]
PERSPECTIVES = [("effect", "Børnene lærer at være en del af et fællesskab", 9),
                ("approach", "Sammen med forældrene, ikke for dem", 8),
                ("target_group", "Børn 0-6 år og deres forældre", 7),
                ("effect", "Trygge børn, der tør lege og lære", 6),
                ("ambition", "Alle børn er klar til skolen, når de går ud herfra", 5),
                ("target_group", "Familier, der har brug for ekstra støtte", 4),
                ("approach", "Vi bygger på barnets eget initiativ", 3),
                ("ambition", "Forældre, der føler sig set og hørt", 2)]
DRAFT = {"target_group": "Børn 0-6 år og deres familier i Fjordby Nord",
         "effect": "Børnene trives, lærer og bliver en del af et fællesskab",
         "approach": "Sammen med forældrene – vi bygger på barnets eget initiativ",
         "ambition": "Alle børn går herfra trygge og klar til skole",
         "core_task": "Sammen med familierne skaber vi trygge rammer, hvor alle børn trives, lærer og bliver en del "
                      "af fællesskabet."}
# title, votes (develop, keep, phase out), decision, rationale, owner
TASKS = [("Morgenmodtagelse og overlevering", (6, 3, 0), "develop", "Her mødes vi med familierne hver dag.", "Pia"),
         ("Dokumentation i fagsystemet", (1, 3, 6), "phase_out", "Vi skriver det ned, forældrene spørger til.", "Leder"),
         ("Forældresamtaler to gange om året", (5, 4, 0), "develop", "Samtalen er vores vigtigste fælles rum.", ""),
         ("Sprogvurderinger af 3-årige", (2, 7, 0), "undecided", "", ""),
         ("Ture i naturen hver fredag", (4, 5, 0), "undecided", "", ""),
         ("Madpakkekontrol", (0, 1, 8), "undecided", "", ""),
         ("Temauger med faste planer", (3, 2, 4), "undecided", "", ""),
         ("Personalemøder om praktiske ting", (1, 2, 6), "undecided", "", "")]
PHONES = ["Anne", "Bent", "Camilla", "Dorte", "Emil", "Fatima", "Gustav", "Hanne", "Ida", "Jonas"]


def build(url: str) -> dict:
    """The room: a pair, a daycare, visit 1 with its ideas, dots and wording, visit 2 with its tasks and votes."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from kerne import create_app
    from kerne.models import (
        Ambassador,
        DotVote,
        Idea,
        OrgUnit,
        Participant,
        Process,
        Revision,
        TaskVote,
        User,
        Visit,
        WorkTask,
    )
    from kerne.web.extensions import db
    from kerne.workshop.visits import open_visit, steps_of

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        area = OrgUnit(name="Børn og Unge", kind="area")
        daycare = OrgUnit(name="Dagtilbud", kind="department", parent=area)
        schools = OrgUnit(name="Skoler", kind="department", parent=area)
        workplace = OrgUnit(name="Børnehuset Mågen", kind="workplace", parent=daycare)
        school = OrgUnit(name="Fjordskolen", kind="workplace", parent=schools)
        pair = []
        for name, unit, profession in (("Anna Berg", school, "Lærer"), ("Bo Dam", workplace, "Pædagog")):
            email = f"{name.split()[0].lower()}@fjordby.dk"
            person = User(email=email, name=name, roles="ambassador", password_hash=generate_password_hash(PASSWORD))
            pair.append(Ambassador(name=name, email=email, workplace=unit, profession=profession, user=person))
        process = Process(workplace=workplace, facilitators=pair)
        process.visits = [Visit(number=1, scheduled_on=date.today()),
                          Visit(number=2, scheduled_on=date.today() + timedelta(days=14))]
        db.session.add(process)
        db.session.flush()
        first, second = process.visits
        open_visit(first)
        phones = {visit.id: [Participant(visit_id=visit.id, display_name=name) for name in PHONES]
                  for visit in (first, second)}
        db.session.add_all([p for group in phones.values() for p in group])
        db.session.flush()
        steps = steps_of(first)
        ones = phones[first.id]
        for n, text in enumerate(CHECK_IN):
            idea = Idea(visit_id=first.id, step_id=steps[0].id, text=text, participant_id=ones[n % 10].id)
            db.session.add(idea)
            db.session.flush()  # saved from a phone: the console counts it among the saves arriving
            db.session.add(Revision(visit_id=first.id, subject="idea", subject_id=idea.id, field="text", value=text,
                                    kind="create", participant_id=idea.participant_id))
        for n, (tag, text, dots) in enumerate(PERSPECTIVES):
            idea = Idea(visit_id=first.id, step_id=steps[1].id, text=text, tag=tag, participant_id=ones[n].id)
            db.session.add(idea)
            db.session.flush()
            for voter in range(dots):  # one dot from each of the first ``dots`` phones, two from the last
                db.session.add(DotVote(idea_id=idea.id, participant_id=ones[(voter + n) % 10].id, dots=1))
        for part, text in DRAFT.items():
            setattr(first.draft, part, text)
        twos = phones[second.id]
        for n, (title, votes, decision, rationale, owner) in enumerate(TASKS, 1):
            task = WorkTask(visit_id=second.id, position=n, title=title, decision=decision, rationale=rationale,
                            owner=owner, deadline=date(2027, 3, 1) if owner else None,
                            follow_up_on=date(2027, 6, 1) if owner and n != 2 else None)
            db.session.add(task)
            db.session.flush()
            voters = iter(twos)
            for choice, count in zip(("develop", "keep", "phase_out"), votes, strict=True):
                db.session.add_all(TaskVote(task_id=task.id, participant_id=next(voters).id, choice=choice)
                                   for _n in range(count))
        db.session.commit()
        return {"email": pair[1].email, "visits": (first.id, second.id)}


def palette_png(png: bytes) -> bytes:
    """The screenshot with at most 256 colours: flat UI loses nothing a reader sees, and a third of the bytes."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class Room:
    """The signed-in facilitator's console and the projector, side by side in one browser."""

    def __init__(self, browser, base: str, email: str, out: Path):
        self.base, self.out = base, out
        console = browser.new_context(viewport=CONSOLE)
        self.console = console.new_page()
        self.console.goto(f"{base}/login")
        self.console.fill("#email", email)
        self.console.fill("#password", PASSWORD)
        self.console.click("button.primary")
        self.console.wait_for_url(f"{base}/")
        self.projector = browser.new_context(viewport=PROJECTOR, storage_state=console.storage_state()).new_page()

    def show(self, visit_id: int) -> None:
        self.visit_id = visit_id
        self.console.goto(f"{self.base}/visits/{visit_id}/console")
        self.projector.goto(f"{self.base}/visits/{visit_id}/projector")

    def do(self, path: str, **form) -> None:
        """What a console button sends: a POST with the page's CSRF token, as htmx sends it."""
        token = self.console.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
        answer = self.console.request.post(f"{self.base}/visits/{self.visit_id}/{path}", form=form,
                                           headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert answer.status in (200, 204, 302), f"{path} {form} → {answer.status}"

    def picture(self, page, name: str) -> None:
        page.reload()
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        page.wait_for_timeout(1500)  # the reveal's rows have risen
        path = self.out / f"{name}.png"
        path.write_bytes(palette_png(page.screenshot()))
        print(f"{path}  {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'screens.sqlite'}"
        room = build(url)
        first, second = room["visits"]
        env = {**server_env(url), "KERNE_BASE_URL": "https://kerne.fjordby.dk"}
        with Gunicorn("app:app", env, 1, 4) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            shots = Room(browser, server.base, room["email"], args.out)
            shots.show(first)
            shots.picture(shots.projector, "projector-join")
            shots.do("code", value="0")
            shots.do("timer", value="1")
            shots.picture(shots.projector, "projector-ideas")
            shots.picture(shots.console, "console-ideas")
            shots.do("step", position=2)
            shots.picture(shots.projector, "projector-vote")
            shots.picture(shots.console, "console-vote")
            shots.do("results", value="1")
            shots.picture(shots.projector, "projector-vote-revealed")
            shots.do("step", position=3)
            shots.do("lock", value="1")
            shots.picture(shots.projector, "projector-draft")
            shots.picture(shots.console, "console-draft")
            shots.do("close")
            shots.picture(shots.projector, "projector-closed")
            shots.show(second)
            shots.do("open")
            shots.do("code", value="0")
            shots.picture(shots.projector, "projector-tasks")
            shots.do("step", position=2)
            shots.do("timer", value="1")
            shots.picture(shots.console, "console-decide")
            shots.do("results", value="1")
            shots.picture(shots.projector, "projector-decide")
            shots.do("step", position=3)
            shots.picture(shots.projector, "projector-actions")
            shots.picture(shots.console, "console-actions")
            browser.close()


if __name__ == "__main__":
    main()
