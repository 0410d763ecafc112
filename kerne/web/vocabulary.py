"""Danish labels for the domain's codes; the codes themselves stay English."""
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {"coordinator": _l("Koordinator"), "leader": _l("Leder"), "ambassador": _l("Ambassadør")}
ORG_KIND_LABELS = {"area": _l("Område"), "department": _l("Afdeling"), "workplace": _l("Arbejdsplads")}
ACTIVITY_LABELS = {
    "ideas": _l("Idéer"),
    "vote": _l("Idéer og prikafstemning"),
    "draft": _l("Fælles udkast"),
    "tasks": _l("Arbejdsopgaver"),
    "decide": _l("Udvikle, fastholde eller afvikle"),
    "actions": _l("Handleplan"),
}
IDEA_TAG_LABELS = {
    "target_group": _l("Målgruppe"),
    "effect": _l("Effekt"),
    "approach": _l("Tilgang"),
    "ambition": _l("Ambition"),
}
DRAFT_PART_LABELS = {**IDEA_TAG_LABELS, "core_task": _l("Kerneopgaven")}
DRAFT_PART_QUESTIONS = {
    "target_group": _l("Hvem er det for?"),
    "effect": _l("Hvilken værdi skal vi skabe for dem?"),
    "approach": _l("Gør vi det for dem eller med dem?"),
    "ambition": _l("Hvad ville gøre os endnu stoltere?"),
    "core_task": _l("Samlet i én sætning: værdien for borgeren, ikke aktiviteterne."),
}
DECISION_LABELS = {
    "undecided": _l("Ikke besluttet"),
    "develop": _l("Udvikle"),
    "keep": _l("Fastholde"),
    "phase_out": _l("Afvikle"),
}
VOTE_LABELS = {c: DECISION_LABELS[c] for c in ("develop", "keep", "phase_out")}
VISIT_STATUS_LABELS = {"planned": _l("Planlagt"), "open": _l("I gang"), "closed": _l("Afsluttet")}
TASK_FIELD_LABELS = {
    "title": _l("Opgave"),
    "decision": _l("Beslutning"),
    "rationale": _l("Begrundelse ift. kerneopgaven"),
    "owner": _l("Ansvarlig"),
    "deadline": _l("Frist"),
    "follow_up_on": _l("Opfølgning"),
}
REVISION_KIND_LABELS = {
    "create": _l("Oprettet"),
    "edit": _l("Gemt"),
    "merge": _l("Flettet med de andres ændringer"),
    "conflict": _l("Kunne ikke flettes – gemt ved siden af"),
    "restore": _l("Gendannet"),
    "refused": _l("Ikke gemt i feltet (låst eller afsluttet) – gemt her"),
}
COMMITMENT_LABELS = {"met": _l("Opfyldt"), "planned": _l("Planlagt"), "open": _l("Åben")}
REQUEST_STATUS_LABELS = {"open": _l("Venter"), "planned": _l("Planlagt"), "cancelled": _l("Trukket tilbage")}
MAIL_STATUS_LABELS = {"queued": _l("Venter"), "sent": _l("Sendt"), "failed": _l("Kan ikke sendes")}
# Why a mail is not sent (kerne.notices.outbox), and what to do about it.
MAIL_PROBLEMS = {
    "unreachable": _l("Mailserveren kunne ikke nås. Kerne prøver igen af sig selv; bliver det ved, så bed driften "
                      "se på forbindelsen til mailserveren."),
    "connect": _l("Mailserveren afviste Kerne (fx et forkert login til serveren). Kerne prøver igen af sig selv; "
                  "bed driften rette opsætningen af mailserveren."),
    "send": _l("Mailserveren tog ikke imod beskeden lige nu. Kerne prøver igen af sig selv."),
    "refused": _l("Mailserveren afviste modtagerens adresse. Ret adressen i registret eller anmodningen, og giv "
                  "personen besked på anden vis: denne besked sendes ikke igen."),
    "no_smtputf8": _l("Adressen har bogstaver som æ, ø eller å før @, og mailserveren kan ikke sende til den slags "
                      "adresser. Ret adressen, hvis personen har en anden, eller bed driften om en mailserver, der "
                      "kan (SMTPUTF8). Giv personen besked på anden vis: denne besked sendes ikke igen."),
    "bad_address": _l("Modtagerens adresse er ikke en e-mailadresse. Ret den, og giv personen besked på anden vis: "
                      "denne besked sendes ikke igen."),
    "broken": _l("Beskeden kunne ikke laves (en fejl hos os). Bed driften se i loggen: denne besked sendes ikke "
                 "igen."),
}


def mail_problem(last_error: str) -> tuple[str, str]:
    """A mail's ``last_error`` (kerne.notices.outbox) as what happened and what to do, and the technical detail
    for whoever runs the server."""
    problem, _colon, detail = last_error.partition(": ")
    if problem in MAIL_PROBLEMS:
        return str(MAIL_PROBLEMS[problem]), detail
    return "", last_error


RUN_STATUS_LABELS = {"running": _l("Regner …"), "done": _l("Forslag"), "failed": _l("Fejlede"),
                     "confirmed": _l("Bekræftet")}


def field_label(subject: str, field: str):
    """What a co-edited field is called on screen."""
    if subject == "draft":
        return DRAFT_PART_LABELS[field]
    if subject == "task":
        return TASK_FIELD_LABELS[field]
    return IDEA_FIELD_LABEL


IDEA_FIELD_LABEL = _l("Din idé")

# ---- after the workshop (kerne.processes.lifecycle, kerne.insight.statistics) ----------------------------
STATE_LABELS = {
    "requested": _l("Anmodet"),
    "pair_confirmed": _l("Par bekræftet"),
    "visit1": _l("Besøg 1"),
    "core_task_defined": _l("Kerneopgave defineret"),
    "visit2": _l("Besøg 2"),
    "tasks_decided": _l("Opgaver besluttet"),
    "follow_up": _l("Opfølgning"),
    "completed": _l("Afsluttet"),
    "cancelled": _l("Aflyst"),
}
STATE_HINTS = {
    "requested": _l("Venter på, at koordinatoren finder et par ambassadører."),
    "pair_confirmed": _l("Parret er bekræftet; besøg 1 er ikke begyndt."),
    "visit1": _l("Besøg 1 er i gang eller holdt; kerneopgaven er ikke låst endnu."),
    "core_task_defined": _l("Kerneopgaven er låst; besøg 2 er ikke begyndt."),
    "visit2": _l("Besøg 2 er i gang, eller ingen arbejdsopgave er besluttet endnu."),
    "tasks_decided": _l("Opgaverne er besluttet, men handleplanen mangler ansvarlig, frist eller opfølgningsdato."),
    "follow_up": _l("Handleplanen er klar; opfølgningen er ikke færdig."),
    "completed": _l("Alle besluttede opgaver er fulgt op."),
    "cancelled": _l("Forløbet er aflyst."),
}
REFUSALS = {
    "already_planned": _l("Anmodningen er allerede planlagt."),
    "already_cancelled": _l("Forløbet er allerede aflyst."),
    "cancelled": _l("Forløbet er aflyst; der kan ikke ændres mere."),
    "not_planned": _l("Forløbet er ikke planlagt endnu."),
    "reason_missing": _l("Skriv en begrundelse for aflysningen."),
    "completed": _l("Forløbet er afsluttet."),
    "visit_open": _l("Et besøg er i gang. Luk besøget, før forløbet aflyses."),
    "visit_not_planned": _l("Besøget er allerede åbnet eller holdt."),
    "core_task_not_locked": _l("Besøg 2 kan først åbnes, når kerneopgaven er låst på besøg 1."),
    "core_task_locked": _l("Kerneopgaven er allerede låst."),
    "visit1_not_begun": _l("Kerneopgaven formuleres på besøg 1, som ikke er begyndt endnu."),
    "core_task_empty": _l("Skriv kerneopgaven, før den låses."),
    "visit1_not_held": _l("Kerneopgaven formuleres i rummet, mens besøg 1 er i gang. Bagefter kan parret skrive den færdig her."),
    "visit2_begun": _l("Kerneopgaven kan ikke låses op, når besøg 2 er begyndt."),
    "visit2_not_held": _l("Handleplan og opfølgning kommer efter besøg 2, som ikke er holdt endnu."),
    "task_marked": _l("Opgaven er allerede fulgt op og kan ikke ændres her."),
    "task_undecided": _l("Opgaven er ikke besluttet (udvikle, fastholde eller afvikle)."),
    "task_unplanned": _l("Opgaven mangler ansvarlig, frist eller opfølgningsdato. Udfyld handleplanen først."),
}
FOLLOW_UP_MARK_LABELS = {"done": _l("Gennemført"), "changed": _l("Ændret"), "dropped": _l("Droppet")}
FOLLOW_UP_LABELS = {"overdue": _l("Overskredet"), "due": _l("Snart"), "later": _l("Senere"), "done": _l("Fulgt op")}
# Talks across units proposed from the core-task library (kerne.insight.library.conversations).
CONVERSATION_LABELS = {"proposed": _l("Foreslået"), "agreed": _l("Aftalt"), "held": _l("Holdt")}
PLAYBOOK_PROBLEMS = {
    "visit1_empty": _l("Besøg 1 skal have mindst ét trin."),
    "visit2_empty": _l("Besøg 2 skal have mindst ét trin."),
    "draft_missing": _l("Besøg 1 skal have et trin med fælles udkast: der formuleres og låses kerneopgaven."),
    "decide_missing": _l("Besøg 2 skal have et trin, hvor opgaverne besluttes (udvikle, fastholde eller afvikle)."),
}
AUDIT_LABELS = {
    "process.cancel": _l("Forløbet er aflyst"),
    "process.core_task_lock": _l("Kerneopgaven er låst efter besøget"),
    "process.core_task_unlock": _l("Kerneopgaven er låst op"),
    "process.meeting": _l("Opfølgningsmødet er planlagt"),
    "visit.schedule": _l("Besøgets dag og tid er aftalt"),
    "work_task.plan": _l("Handleplanen er rettet"),
    "work_task.follow_up": _l("Opgaven er fulgt op"),
    "request.create": _l("Anmodningen er oprettet"),
    "request.cancel": _l("Anmodningen er trukket tilbage"),
}
# Named events the process page's activity log leaves out (it shows the confirmation from the data).
OTHER_AUDIT_LABELS = {
    "process.confirm": _l("Parret er bekræftet, og forløbet er oprettet"),
    "leader.units": _l("Lederens enheder er ændret"),
    "target_group.create": _l("Målgruppe oprettet"),
    "target_group.rename": _l("Målgruppe omdøbt"),
    "target_group.merge": _l("Målgrupper slået sammen"),
    "target_group.map": _l("Tekst knyttet til målgrupper"),
    "conversation.propose": _l("En snak på tværs er foreslået"),
    "conversation.update": _l("En snak på tværs er opdateret"),
    "playbook.edit": _l("Drejebogen er rettet"),
    "retention.run": _l("Gamle oplysninger er slettet eller anonymiseret"),
    "auth.sign_in": _l("Logget ind"),
    "auth.sign_in_failed": _l("Mislykket forsøg på at logge ind"),
    "auth.sign_out": _l("Logget ud"),
    "auth.password": _l("Adgangskoden er skiftet"),
    "user.activate": _l("Login genåbnet"),
    "user.deactivate": _l("Login lukket"),
    "user.end_sessions": _l("Alle sessioner afsluttet"),
    "user.invite": _l("Invitation til et login sendt"),
    "user.revoke_invitation": _l("Invitation tilbagekaldt, login lukket"),
    "user.accept_invitation": _l("Invitation brugt: adgangskode valgt"),
    "auth.sso_bound": _l("Login knyttet til kommunens login"),
    "user.sso_unbind": _l("Login ikke længere knyttet til kommunens login"),
    "ambassador.activate": _l("Ambassadøren er aktiv igen"),
    "ambassador.deactivate": _l("Ambassadøren er ikke længere aktiv"),
    "ambassador.calendar_secret": _l("Ny kalenderadresse"),
    "person.export": _l("En persons data er hentet"),
    "registry.export": _l("Ambassadørregistret er hentet"),
    "processes.export": _l("Listen over forløb er hentet"),
    "ambassadors.export": _l("Listen over ambassadører er hentet"),
    "tasks.export": _l("Listen over arbejdsopgaver er hentet"),
    "audit.export": _l("Hændelsesloggen er hentet"),
    "mail.read": _l("En andens besked er læst"),
}
# The audit listener's actions are "<subject>.<verb>" (kerne.records.audit.WATCHED); named ones are labelled above.
AUDIT_SUBJECT_LABELS = {
    "org": _l("Organisationsenhed"),
    "ambassador": _l("Ambassadør"),
    "user": _l("Brugerkonto"),
    "request": _l("Anmodning"),
    "plan": _l("Planforslag"),
    "plan_choice": _l("Valg i planforslag"),
    "process": _l("Forløb"),
    "visit": _l("Besøg"),
    "core_task": _l("Kerneopgavens formulering"),
    "work_task": _l("Arbejdsopgave"),
    "person": _l("Person"),
}
AUDIT_VERB_LABELS = {"create": _l("oprettet"), "update": _l("ændret"), "delete": _l("slettet"),
                     "anonymise": _l("anonymiseret")}
AUDIT_FIELD_LABELS = {
    "name": _l("Navn"), "email": _l("E-mail"), "phone": _l("Telefon"), "kind": _l("Type"),
    "parent_id": _l("Hører under"), "external_id": _l("Id"), "workplace_id": _l("Arbejdsplads"),
    "profession": _l("Faggruppe"), "trained_on": _l("Uddannet"), "active": _l("Aktiv"),
    "capacity": _l("Forløb pr. sæson"), "user_id": _l("Brugerkonto"), "calendar_token": _l("Kalenderadresse"),
    "unavailable": _l("Utilgængelige datoer"), "roles": _l("Roller"), "password_hash": _l("Adgangskode"),
    "sees_whole_organisation": _l("Ser hele organisationen"), "units": _l("Enheder"),
    "contact_name": _l("Kontaktperson"), "contact_email": _l("Kontaktpersonens e-mail"),
    "target_groups": _l("Målgrupper"), "visit1_start": _l("Besøg 1 fra"), "visit1_end": _l("Besøg 1 til"),
    "visit2_start": _l("Besøg 2 fra"), "visit2_end": _l("Besøg 2 til"), "notes": _l("Bemærkninger"),
    "status": _l("Status"), "cancel_reason": _l("Begrundelse for aflysning"), "process_id": _l("Forløb"),
    "ambassador_id": _l("Ambassadør"), "locked": _l("Låst"), "run_id": _l("Planforslag"),
    "request_id": _l("Anmodning"), "slot": _l("Plads"), "cancelled_at": _l("Aflyst"),
    "meeting_on": _l("Opfølgningsmøde"), "meeting_starts": _l("Mødet begynder"), "meeting_ends": _l("Mødet slutter"),
    "meeting_place": _l("Mødested"), "facilitators": _l("Par"), "scheduled_on": _l("Dato"),
    "number": _l("Besøg nr."), "locked_at": _l("Låst"), "visit_id": _l("Besøg"), "core_task": _l("Kerneopgaven"),
    "decision": _l("Beslutning"), "owner": _l("Ansvarlig"), "deadline": _l("Frist"),
    "follow_up_on": _l("Opfølgningsdato"), "follow_up_mark": _l("Opfølgning"), "follow_up_note": _l("Note"),
    "removed": _l("Fjernet fra listen"), "title": _l("Titel"), "reason": _l("Begrundelse"),
    "expires_at": _l("Udløber"), "issuer": _l("Kommunens login (udsteder)"), "reopened": _l("Genåbnet"),
    "format": _l("Format"), "action": _l("Handling"), "person": _l("Person"), "since": _l("Fra dato"),
    "until": _l("Til og med dato"), "request": _l("Anmodning"), "workplace": _l("Arbejdsplads"),
    "pair": _l("Par"), "wording": _l("Formulering"), "mark": _l("Opfølgning"), "note": _l("Note"),
    "before": _l("Før"), "after": _l("Efter"), "day": _l("Dag"), "starts": _l("Begynder"), "ends": _l("Slutter"),
    "place": _l("Sted"), "method": _l("Måde"), "known_email": _l("Kendt e-mail"), "steps": _l("Trin"),
    "old": _l("Før"), "new": _l("Nu"), "merged": _l("Slået sammen"), "into": _l("Ind i"), "texts": _l("Tekster"),
    "text": _l("Tekst"), "groups": _l("Målgrupper"), "whole_before": _l("Så hele organisationen før"),
    "participant_names": _l("Deltagernavne"), "mail_texts": _l("Beskedtekster"), "audit_events": _l("Hændelser"),
}


# The rows an event is about (AuditEvent.subject_type, a table's name), as the log names them.
AUDIT_ROW_LABELS = {
    "org_unit": _l("enhed"), "user_account": _l("brugerkonto"), "ambassador": _l("ambassadør"),
    "playbook": _l("drejebog"), "process": _l("forløb"), "process_request": _l("anmodning"),
    "match_run": _l("planforslag"), "match_choice": _l("valg i planforslag"), "visit": _l("besøg"),
    "core_task_draft": _l("formulering"), "work_task": _l("arbejdsopgave"), "target_group": _l("målgruppe"),
    "mail": _l("besked"),
}
# Details that hold the id of another row: said as "nr. 7", never as a bare number.
AUDIT_ID_FIELDS = ("request", "workplace", "process", "visit", "run")
# Codes kept in the details, in Danish; a status by what it is the status of.
AUDIT_VALUE_LABELS = {
    "kind": ORG_KIND_LABELS, "decision": DECISION_LABELS, "follow_up_mark": FOLLOW_UP_MARK_LABELS,
    "mark": FOLLOW_UP_MARK_LABELS, "roles": ROLE_LABELS,
    "method": {"password": _l("adgangskode"), "sso": _l("kommunens fælles log-ind")},
    "format": {"csv": _l("CSV til Excel"), "plain": _l("CSV med kommaer"), "xlsx": _l("Excel-fil"), "json": "JSON"},
}
AUDIT_STATUS_LABELS = {"plan": RUN_STATUS_LABELS, "request": REQUEST_STATUS_LABELS, "visit": VISIT_STATUS_LABELS}


def audit_subject(subject_type: str | None, subject_id: int | None) -> str:
    """The row an event is about, in words: "forløb nr. 13" (a row of an unknown kind: "nr. 13")."""
    if subject_id is None:
        return ""
    row = AUDIT_ROW_LABELS.get(subject_type or "")
    return _("%(row)s nr. %(id)s", row=row, id=subject_id) if row else _("nr. %(id)s", id=subject_id)


def audit_details(action: str, detail: str) -> list[tuple[str, str]]:
    """An event's details as (field, what) in Danish: old → new for a change the listener recorded,
    codes and ids in words, lists and nested details spelled out."""
    subject, _dot, verb = action.rpartition(".")
    lines = []
    for key, value in json.loads(detail or "{}").items():
        if verb == "update" and isinstance(value, list) and len(value) == 2:
            what = f"{_audit_value(subject, key, value[0])} → {_audit_value(subject, key, value[1])}"
        elif isinstance(value, dict) and set(value) == {"added", "removed"}:
            what = "; ".join(filter(None, (
                "+ " + ", ".join(_audit_value(subject, key, v) for v in value["added"]) if value["added"] else "",
                "− " + ", ".join(_audit_value(subject, key, v) for v in value["removed"]) if value["removed"] else "")))
        else:
            what = _audit_value(subject, key, value)
        lines.append((_audit_field(key), what))
    return lines


def _audit_field(key: str) -> str:
    return str(AUDIT_FIELD_LABELS.get(key, key))


def _audit_value(subject: str, key: str, value) -> str:
    if value is None or value == "":
        return "–"
    if value is True or value is False:
        return _("ja") if value else _("nej")
    if isinstance(value, dict):
        return "; ".join(f"{_audit_field(k)}: {_audit_value(subject, k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_audit_value(subject, key, v) for v in value)
    if isinstance(value, int) and (key.endswith("_id") or key in AUDIT_ID_FIELDS):
        return _("nr. %(id)s", id=value)
    labels = AUDIT_STATUS_LABELS.get(subject, {}) if key == "status" else AUDIT_VALUE_LABELS.get(key, {})
    if key == "roles" and isinstance(value, str):
        return ", ".join(str(labels.get(role, role)) for role in value.split())
    return str(labels.get(value, value)) if isinstance(value, str) else str(value)


def audit_label(action: str) -> str:
    """An action in words: a named event's label, or "subject: verb" for the listener's."""
    if action in AUDIT_LABELS or action in OTHER_AUDIT_LABELS:
        return str(AUDIT_LABELS.get(action) or OTHER_AUDIT_LABELS[action])
    subject, _dot, verb = action.rpartition(".")
    if subject in AUDIT_SUBJECT_LABELS and verb in AUDIT_VERB_LABELS:
        return f"{AUDIT_SUBJECT_LABELS[subject]} {AUDIT_VERB_LABELS[verb]}"
    return action
