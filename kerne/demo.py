"""Demo data: the fictional Fjordby Kommune, with one visit open for a live demo.

Every name here is made up. ``seed`` fills an empty database and does nothing
on one that has data, so ``make run`` may call it on every start.
"""
import random
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from kerne.insight.library import terms
from kerne.models import (
    VISIT_ENDS,
    VISIT_STARTS,
    Ambassador,
    CoreTaskDraft,
    Idea,
    OrgUnit,
    Participant,
    PlaybookStep,
    Process,
    ProcessRequest,
    TargetGroup,
    TargetGroupAlias,
    User,
    Visit,
    WorkTask,
    utcnow,
)
from kerne.processes.playbook.versions import newest_id
from kerne.web.extensions import db
from kerne.workshop.visits import new_join_code

DEMO_PASSWORD = "kerne-demo"

ORGANISATION = {
    "Børn og Unge": {
        "Dagtilbud": ["Børnehuset Mågen", "Vuggestuen Solsikken", "Børnehaven Skovtrolden"],
        "Skoler": ["Fjordskolen", "Østerbro Skole", "Ungdomsskolen"],
        "Familie og Sundhedspleje": ["Sundhedsplejen", "Familiehuset"],
    },
    "Sundhed og Omsorg": {
        "Hjemmepleje": ["Hjemmeplejen Nord", "Hjemmeplejen Syd"],
        "Plejecentre": ["Plejecenter Lindely", "Plejecenter Havbakken"],
        "Træning og Rehabilitering": ["Træningscenter Fjordby", "Genoptræningen"],
        "Socialpsykiatri": ["Bostedet Kastanjen", "Værestedet Broen"],
    },
    "Teknik, Kultur og Borgerservice": {
        "Borgerservice": ["Borgerservice Fjordby", "Ydelseskontoret"],
        "Kultur og Fritid": ["Hovedbiblioteket", "Kulturhuset Pakhuset"],
        "Natur og Miljø": ["Park og Vej", "Genbrugspladsen"],
        "Jobcenter": ["Jobcenter Fjordby", "Ungeenheden"],
    },
}

# name, profession, workplace
AMBASSADORS = [
    ("Mette Kjær", "Sygeplejerske", "Plejecenter Lindely"),
    ("Jonas Holm", "Pædagog", "Børnehuset Mågen"),
    ("Lars Winther", "Afdelingsleder", "Jobcenter Fjordby"),
    ("Anne Sofie Lund", "Fysioterapeut", "Træningscenter Fjordby"),
    ("Peter Dahl", "Lærer", "Fjordskolen"),
    ("Fatima Hassan", "Social- og sundhedsassistent", "Hjemmeplejen Nord"),
    ("Karen Mikkelsen", "Sundhedsplejerske", "Sundhedsplejen"),
    ("Rasmus Vestergaard", "Socialpædagog", "Bostedet Kastanjen"),
    ("Line Nørgaard", "Ergoterapeut", "Genoptræningen"),
    ("Henrik Bach", "Bibliotekar", "Hovedbiblioteket"),
    ("Sara Poulsen", "Pædagog", "Vuggestuen Solsikken"),
    ("Mads Kristensen", "Jobkonsulent", "Ungeenheden"),
    ("Birgitte Schmidt", "Sagsbehandler", "Ydelseskontoret"),
    ("Ahmed Yilmaz", "Social- og sundhedshjælper", "Hjemmeplejen Syd"),
    ("Camilla Friis", "Lærer", "Østerbro Skole"),
    ("Thomas Eriksen", "Afdelingsleder", "Park og Vej"),
    ("Ida Lauridsen", "Socialrådgiver", "Familiehuset"),
    ("Søren Jakobsen", "Driftsleder", "Genbrugspladsen"),
    ("Maria Olsen", "Sygeplejerske", "Plejecenter Havbakken"),
    ("Nikolaj Brandt", "Kulturmedarbejder", "Kulturhuset Pakhuset"),
    ("Hanne Møller", "Administrativ medarbejder", "Borgerservice Fjordby"),
    ("Emil Thomsen", "Ungdomsskolelærer", "Ungdomsskolen"),
    ("Julie Andersen", "Pædagog", "Børnehaven Skovtrolden"),
    ("Kasper Nielsen", "Socialpædagog", "Værestedet Broen"),
    ("Louise Hansen", "Fysioterapeut", "Genoptræningen"),
    ("Morten Larsen", "Afdelingsleder", "Hjemmeplejen Nord"),
    ("Pernille Jensen", "Social- og sundhedsassistent", "Plejecenter Lindely"),
    ("Ole Christensen", "Lærer", "Fjordskolen"),
    ("Signe Rasmussen", "Sagsbehandler", "Jobcenter Fjordby"),
    ("Yasmin Ali", "Ergoterapeut", "Træningscenter Fjordby"),
    ("Frederik Madsen", "Bibliotekar", "Hovedbiblioteket"),
]

STAFF = [
    ("koordinator@fjordby.dk", "Birthe Koordinator", "coordinator"),
    ("leder@fjordby.dk", "Poul Direktør", "leader"),
    ("omraadechef@fjordby.dk", "Gitte Områdechef", "leader"),
]
# Who each leader sees (kerne.web.scope): the director the whole organisation, the area
# manager her area, Lars Winther (ambassador and leader) his own workplace.
LEADER_UNITS = {"leder@fjordby.dk": None, "omraadechef@fjordby.dk": "Sundhed og Omsorg",
                "lars.winther@fjordby.dk": "Jobcenter Fjordby"}
# The managed target groups, and the free texts of the demo mapped onto them.
TARGET_GROUPS = {
    "Ældre borgere": ["Ældre borgere i eget hjem", "Ældre borgere, der bor i eget hjem", "Ældre",
                      "Ældre borgere på plejecenter"],
    "Børn 0-6 år": ["Børn 0-3 år og deres forældre", "Børn 3-6 år og deres familier"],
    "Skolebørn": ["Elever i 0.-9. klasse og deres forældre", "Alle børn i skolealderen i vores skoledistrikt"],
    "Forældre og familier": ["Børn 0-3 år og deres forældre", "Børn 3-6 år og deres familier",
                             "Elever i 0.-9. klasse og deres forældre", "Alle borgere, særligt børnefamilier og ældre"],
    "Borgere i genoptræning": ["Borgere efter sygdom eller operation"],
}


def _email(name: str) -> str:
    ascii_name = name.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "."}))
    return f"{ascii_name}@fjordby.dk"


def _organisation() -> dict[str, OrgUnit]:
    workplaces = {}
    for area_name, departments in ORGANISATION.items():
        area = OrgUnit(name=area_name, kind="area")
        db.session.add(area)
        for department_name, names in departments.items():
            department = OrgUnit(name=department_name, kind="department", parent=area)
            for name in names:
                workplaces[name] = OrgUnit(name=name, kind="workplace", parent=department)
    return workplaces


def _people(workplaces: dict[str, OrgUnit]) -> dict[str, Ambassador]:
    rng = random.Random(31)
    # Every demo account shares the password, so hash it once: scrypt is slow on purpose.
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for email, name, roles in STAFF:
        db.session.add(User(email=email, name=name, roles=roles, password_hash=password_hash))

    ambassadors = {}
    for name, profession, workplace in AMBASSADORS:
        roles = "ambassador leader" if name == "Lars Winther" else "ambassador"
        user = User(email=_email(name), name=name, roles=roles, password_hash=password_hash)
        ambassadors[name] = Ambassador(
            name=name, email=user.email, profession=profession, workplace=workplaces[workplace],
            trained_on=date(2026, 3, 1) + timedelta(days=rng.randrange(0, 60)),
            capacity=rng.choice((2, 3, 3)), user=user,
        )
        db.session.add(ambassadors[name])
    return ambassadors


def _process(workplace: OrgUnit, pair: list[Ambassador], first_visit: date, target_groups: str) -> Process:
    process = Process(workplace=workplace, facilitators=pair, target_groups=target_groups)
    process.visits = [  # agreed with the workplace: a day and the usual time of day
        Visit(number=1, scheduled_on=first_visit, starts=VISIT_STARTS, ends=VISIT_ENDS),
        Visit(number=2, scheduled_on=first_visit + timedelta(days=21), starts=VISIT_STARTS, ends=VISIT_ENDS),
    ]
    db.session.add(process)
    return process


def _close(visit: Visit, draft: CoreTaskDraft | None = None) -> None:
    visit.status = "closed"
    visit.playbook_id = newest_id()
    visit.join_code = new_join_code()
    visit.opened_at = utcnow() - timedelta(days=30)
    visit.closed_at = visit.opened_at + timedelta(hours=3)
    if draft is not None:
        draft.visit = visit
        db.session.add(draft)


def _steps() -> dict[tuple[int, int], PlaybookStep]:
    return {(s.visit_number, s.position): s for s in db.session.scalars(select(PlaybookStep))}


def _request_for(process: Process, contact: str, days_before: int) -> None:
    """The request the process was planned from, with the workplace contact who receives the notices."""
    first, second = (v.scheduled_on for v in process.visits)
    db.session.add(ProcessRequest(
        workplace=process.workplace, contact_name=contact, contact_email=_email(contact),
        target_groups=process.target_groups, visit1_start=first, visit1_end=first, visit2_start=second,
        visit2_end=second, status="planned", process=process,
        created_at=utcnow() - timedelta(days=days_before)))


def _follow_up(tasks: list[WorkTask], marks: list[tuple[str, str] | None]) -> None:
    for task, mark in zip(tasks, marks):
        if mark is not None:
            task.follow_up_mark, task.follow_up_note = mark
            task.followed_up_at = utcnow() - timedelta(days=2)


def _done_process(workplaces, ambassadors) -> None:
    process = _process(
        workplaces["Hjemmeplejen Nord"], [ambassadors["Line Nørgaard"], ambassadors["Peter Dahl"]],
        date.today() - timedelta(days=60), "Ældre borgere i eget hjem",
    )
    _request_for(process, "Morten Larsen", 90)
    first, second = process.visits
    _close(first, CoreTaskDraft(
        target_group="Ældre borgere, der bor i eget hjem",
        effect="Borgeren mestrer sin hverdag og føler sig tryg",
        approach="Vi arbejder med borgeren, ikke for borgeren",
        ambition="At flere klarer sig selv længere",
        core_task="Sammen med ældre borgere skaber vi tryghed og mestring, så de kan leve det liv, de ønsker, i eget hjem.",
        locked_at=utcnow() - timedelta(days=55),
    ))
    _close(second)
    db.session.flush()
    decisions = [
        ("Morgenbesøg med fast rækkefølge", "develop", "Borgeren skal selv gøre mere – vi hjælper med det svære.", "Teamleder Nord"),
        ("Dokumentation i tre systemer", "phase_out", "Tager tid fra borgeren uden at give tryghed.", "Morten Larsen"),
        ("Faste kontaktpersoner", "keep", "Tryghed kommer af at kende dem, der kommer.", "Teamleder Nord"),
        ("Rengøring hver uge", "develop", "Kan gøres sammen med borgeren og styrke mestring.", "Fatima Hassan"),
    ]
    # two followed up, one overdue, one due in a week: the follow-up pages have something to show
    follow_ups = [-20, -10, -3, 7]
    tasks = []
    for position, (title, decision, rationale, owner) in enumerate(decisions, start=1):
        tasks.append(WorkTask(
            visit_id=second.id, position=position, title=title, decision=decision, rationale=rationale,
            owner=owner, deadline=date.today() + timedelta(days=follow_ups[position - 1] - 7),
            follow_up_on=date.today() + timedelta(days=follow_ups[position - 1]),
        ))
    db.session.add_all(tasks)
    _follow_up(tasks, [("done", "Ny rækkefølge aftalt med borgerne."), ("changed", "Ned til ét system i 2027."),
                       None, None])


def _completed_process(workplaces, ambassadors) -> None:
    """A process with every decided task followed up: completed, in the library with Hjemmeplejen Nord."""
    process = _process(
        workplaces["Plejecenter Lindely"], [ambassadors["Anne Sofie Lund"], ambassadors["Ida Lauridsen"]],
        date.today() - timedelta(days=150), "Ældre borgere på plejecenter",
    )
    _request_for(process, "Pernille Jensen", 180)
    first, second = process.visits
    _close(first, CoreTaskDraft(
        target_group="Ældre", effect="Beboeren har et godt hverdagsliv med mening og nærvær",
        approach="Med beboeren og de pårørende", ambition="At hver beboer har noget at se frem til hver dag",
        core_task="Vi skaber et trygt hjem med mening og nærvær sammen med beboere og pårørende.",
        locked_at=utcnow() - timedelta(days=145),
    ))
    _close(second)
    db.session.flush()
    tasks = [WorkTask(visit_id=second.id, position=n, title=title, decision=decision, owner="Pernille Jensen",
                      deadline=date.today() - timedelta(days=60), follow_up_on=date.today() - timedelta(days=30))
             for n, (title, decision) in enumerate([("Fælles spisning", "develop"), ("Aftenvagtens runde", "keep"),
                                                    ("Dobbeltregistrering af medicin", "phase_out")], start=1)]
    db.session.add_all(tasks)
    _follow_up(tasks, [("done", "Hver dag kl. 12."), ("done", ""), ("dropped", "Klaret af det nye system.")])


def _vocabulary() -> None:
    for name, texts in TARGET_GROUPS.items():
        group = TargetGroup(name=name)
        db.session.add(group)
        db.session.flush()
        for text in {terms.key(t) for t in [name, *texts]}:
            db.session.add(TargetGroupAlias(text=text, target_group_id=group.id))


def _leaders(workplaces) -> None:
    units = {u.name: u for u in db.session.scalars(select(OrgUnit))}
    for email, unit in LEADER_UNITS.items():
        leader = db.session.scalar(select(User).where(User.email == email))
        leader.sees_whole_organisation = unit is None
        leader.units = [] if unit is None else [units[unit]]


def _running_process(workplaces, ambassadors) -> None:
    process = _process(
        workplaces["Fjordskolen"], [ambassadors["Karen Mikkelsen"], ambassadors["Thomas Eriksen"]],
        date.today() - timedelta(days=10), "Elever i 0.-9. klasse og deres forældre",
    )
    _close(process.visits[0], CoreTaskDraft(
        target_group="Alle børn i skolealderen i vores skoledistrikt",
        effect="Børnene lærer og trives – fagligt og socialt",
        approach="Sammen med børn og forældre",
        ambition="Alle børn forlader skolen med lyst til at lære mere",
        core_task="Vi skaber læring og trivsel sammen med børn og forældre, så alle børn bliver så dygtige, som de kan.",
        locked_at=utcnow() - timedelta(days=10),
    ))


def _live_demo(workplaces, ambassadors) -> Visit:
    process = _process(
        workplaces["Børnehuset Mågen"], [ambassadors["Mette Kjær"], ambassadors["Jonas Holm"]],
        date.today(), "Børn 3-6 år og deres familier",
    )
    visit = process.visits[0]
    visit.status = "open"
    visit.playbook_id = newest_id()
    visit.join_code = new_join_code()
    visit.opened_at = visit.join_code_issued_at = utcnow()
    visit.code_shown = True  # the projector starts on the join screen
    db.session.add(CoreTaskDraft(visit=visit))
    db.session.flush()
    check_in = _steps()[(1, 1)]
    for text in ("Et trygt sted at være, mens forældrene er på arbejde",
                 "Voksne, der kender netop mit barn"):
        participant = Participant(visit_id=visit.id, display_name=None)
        db.session.add(participant)
        db.session.flush()
        db.session.add(Idea(visit_id=visit.id, step_id=check_in.id, text=text, participant_id=participant.id))
    visit.version = 3
    return visit


def _planned_process(workplaces, ambassadors) -> None:
    _process(
        workplaces["Hovedbiblioteket"], [ambassadors["Rasmus Vestergaard"], ambassadors["Camilla Friis"]],
        date.today() + timedelta(days=14), "Alle borgere, særligt børnefamilier og ældre",
    )


def _open_requests(workplaces) -> None:
    """Requests waiting for the coordinator's plan, a few weeks out."""
    start = date.today() + timedelta(days=21)
    wishes = [
        ("Vuggestuen Solsikken", "Sara Poulsen", "Børn 0-3 år og deres forældre", 0, 0),
        ("Hjemmeplejen Syd", "Ahmed Yilmaz", "Ældre borgere i eget hjem", 2, 2),
        ("Ydelseskontoret", "Birgitte Schmidt", "Borgere, der søger ydelser", 5, 0),
        ("Genoptræningen", "Line Nørgaard", "Borgere efter sygdom eller operation", 8, 3),
        ("Kulturhuset Pakhuset", "Nikolaj Brandt", "Foreninger og borgere i alle aldre", 12, 0),
    ]
    rng = random.Random(5)
    for n, (workplace, contact, groups, offset, width) in enumerate(wishes, start=1):
        first = start + timedelta(days=offset)
        second = first + timedelta(days=rng.choice((14, 21)))
        db.session.add(ProcessRequest(
            external_id=f"DEMO-{n}", workplace=workplaces[workplace], contact_name=contact,
            contact_email=_email(contact), target_groups=groups,
            visit1_start=first, visit1_end=first + timedelta(days=width),
            visit2_start=second, visit2_end=second + timedelta(days=width),
        ))


def seed() -> bool:
    """Fill an empty database with the demo; False (and nothing done) if it has data."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return False
    workplaces = _organisation()
    ambassadors = _people(workplaces)
    db.session.flush()
    _done_process(workplaces, ambassadors)
    _completed_process(workplaces, ambassadors)
    _running_process(workplaces, ambassadors)
    _live_demo(workplaces, ambassadors)
    _planned_process(workplaces, ambassadors)
    _open_requests(workplaces)
    _vocabulary()
    _leaders(workplaces)
    db.session.commit()
    return True


def logins() -> list[tuple[str, str]]:
    """(what, e-mail) of the accounts worth trying first."""
    return [
        ("Koordinator", "koordinator@fjordby.dk"),
        ("Leder med hele organisationen", "leder@fjordby.dk"),
        ("Områdechef for Sundhed og Omsorg", "omraadechef@fjordby.dk"),
        ("Ambassadør, facilitator af demo-besøget", _email("Mette Kjær")),
        ("Ambassadør, facilitator af demo-besøget", _email("Jonas Holm")),
        ("Ambassadør og leder", _email("Lars Winther")),
    ]


def open_visits() -> list[Visit]:
    return list(db.session.scalars(select(Visit).where(Visit.status == "open").order_by(Visit.id)))

