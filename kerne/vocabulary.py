"""Danish labels for the domain's codes; the codes themselves stay English."""
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
PROCESS_STATUS_LABELS = {"planned": _l("Planlagt"), "running": _l("I gang"), "done": _l("Afsluttet")}
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
