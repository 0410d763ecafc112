"""Who may use which route: one table, one entry per endpoint, checked before every view.

The gate below lets a request reach its view only when the endpoint's entry
allows one of the person's roles. An entry narrowed to a scope (a leader's
units, an ambassador's own processes, a participant's one visit) is narrowed
further by the view itself, which loads the object and checks it once
(``kerne.web.scope``, ``Process.is_facilitated_by``, the join cookie); a numbered object
outside the person's scope answers 404 like one that does not exist, so ids cannot be
counted, while 403 is kept for what they see but may not do. A route
with no entry is refused, and tests/test_permissions.py fails naming it:
add a line to ``TABLE`` for every new endpoint.

A workplace contact is a leader account tied to one workplace (kerne.people.leaders);
a participant has no account, only the signed join cookie of one visit.
"""
from dataclasses import dataclass, fields

from flask import abort, request
from flask_login import current_user

from kerne.web.extensions import login_manager

NO = ""
YES = "yes"
UNITS = "own units"
WORKPLACE = "own workplace"
OWN = "own processes"
SELF = "own"
VISIT = "own visit"
KEY = "with the link's key"
# Refused, but let through the gate so the view answers 404 for an object outside what the person sees
# (the gate's 403 would tell that it exists) and 403 inside it.
NOT_IN_UNITS = "no (outside own units: 404)"
NOT_AT_WORKPLACE = "no (outside own workplace: 404)"
REFUSED_IN_VIEW = (NOT_IN_UNITS, NOT_AT_WORKPLACE)


@dataclass(frozen=True)
class Access:
    """What each role may do at one endpoint: NO, YES, or the scope the view narrows it to."""

    coordinator: str = NO
    leader: str = NO
    contact: str = NO
    ambassador: str = NO
    participant: str = NO
    anonymous: str = NO

    @property
    def open(self) -> bool:
        """Reachable without signing in; the view decides (a participant by their join cookie)."""
        return bool(self.anonymous or self.participant)

    @property
    def account_roles(self) -> tuple[str, ...]:
        """The account roles the gate lets through (a workplace contact signs in as a leader)."""
        roles = [role for role in ("coordinator", "leader", "ambassador") if getattr(self, role)]
        if self.contact and "leader" not in roles:
            roles.append("leader")
        return tuple(roles)


ROLES = tuple(f.name for f in fields(Access))

PUBLIC = Access(YES, YES, YES, YES, YES, YES)
COORDINATOR = Access(coordinator=YES)
DESK = Access(coordinator=YES, leader=UNITS, contact=WORKPLACE)
ROOM = Access(ambassador=OWN, participant=VISIT)
PHONE = Access(participant=VISIT)
CONSOLE = Access(leader=NOT_IN_UNITS, contact=NOT_AT_WORKPLACE, ambassador=OWN)
PROCESS = Access(coordinator=YES, leader=UNITS, contact=WORKPLACE, ambassador=OWN)
PROCESS_PAIR = Access(coordinator=YES, ambassador=OWN)
STAFF_SELF = Access(coordinator=YES, leader=SELF, contact=SELF, ambassador=SELF)
# Locked core tasks are shared across the whole organisation (the people behind them stay scoped in the view).
STAFF = Access(coordinator=YES, leader=YES, contact=YES, ambassador=YES)

TABLE: dict[str, Access] = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.password": STAFF_SELF,
    "auth.invitation": PUBLIC,
    "sso.start": PUBLIC,
    "sso.callback": PUBLIC,
    "home.index": PUBLIC,
    "home.language": PUBLIC,
    "home.process": PROCESS,
    "home.evaluations": COORDINATOR,
    "home.accessibility": PUBLIC,
    "join.enter_code": PUBLIC,
    "join.join": PUBLIC,
    # The room: phones by their join cookie, the pair from the console.
    "workshop.page": ROOM,
    "workshop.changes": ROOM,
    "workshop.rename": PHONE,
    "workshop.add_idea": ROOM,
    "workshop.edit_idea": ROOM,
    "workshop.place_dots": PHONE,
    "workshop.save_draft": ROOM,
    "workshop.draft_history": ROOM,
    "workshop.restore": ROOM,
    "workshop.resolve_conflict": ROOM,
    "workshop.add_task": ROOM,
    "workshop.move_task": ROOM,
    "workshop.vote_task": PHONE,
    "workshop.save_task": ROOM,
    "workshop.evaluate": PHONE,
    "facilitate.console": CONSOLE,
    "facilitate.projector": CONSOLE,
    "facilitate.projector_changes": CONSOLE,
    "facilitate.open_visit": CONSOLE,
    "facilitate.renew_join_code": CONSOLE,
    "facilitate.go_to_step": CONSOLE,
    "facilitate.close": CONSOLE,
    "facilitate.dots": CONSOLE,
    "facilitate.lock": CONSOLE,
    "facilitate.hide_idea": CONSOLE,
    "facilitate.merge_idea": CONSOLE,
    "facilitate.remove_task": CONSOLE,
    "facilitate.reveal": CONSOLE,
    "facilitate.show_code": CONSOLE,
    "facilitate.run_timer": CONSOLE,
    "facilitate.lengthen_timer": CONSOLE,
    "facilitate.focus": CONSOLE,
    # After the workshop.
    "processes.cancel": DESK,
    "processes.lock_core_task": PROCESS_PAIR,
    "processes.word_core_task": PROCESS_PAIR,
    "processes.plan_task": PROCESS,
    "processes.mark_task": PROCESS,
    "processes.plan_meeting": PROCESS,
    "processes.schedule_visit": PROCESS,
    "processes.meeting_ics": PROCESS,
    "processes.poster": PROCESS,
    "reports.dashboard": DESK,
    "reports.changes": DESK,
    "reports.report": DESK,
    "lists.processes": DESK,
    "lists.export_processes": DESK,
    "lists.tasks": DESK,
    "lists.export_tasks": DESK,
    "lists.follow_up": PROCESS,
    "lists.workplaces": DESK,
    "lists.ambassadors": DESK,
    "lists.export_ambassadors": DESK,
    "lists.export_registry": DESK,
    "library.index": STAFF,
    "library.results": STAFF,
    "library.entry": STAFF,
    "library.propose": DESK,
    "library.conversations_page": DESK,
    "library.update_conversation": DESK,
    "library.target_groups": COORDINATOR,
    "library.rename": COORDINATOR,
    "library.merge": COORDINATOR,
    "library.map_text": COORDINATOR,
    # Requests, planning and the registry.
    "requests.index": DESK,
    "requests.new": DESK,
    "requests.cancel": DESK,
    "requests.import_csv": COORDINATOR,
    "planning.index": COORDINATOR,
    "planning.propose": COORDINATOR,
    "planning.run": COORDINATOR,
    "planning.proposal": COORDINATOR,
    "planning.choose": COORDINATOR,
    "planning.lock": COORDINATOR,
    "planning.confirm": COORDINATOR,
    "registry.index": COORDINATOR,
    "registry.rows": COORDINATOR,
    "registry.new": COORDINATOR,
    "registry.edit": COORDINATOR,
    "registry.export": COORDINATOR,
    "registry.import_csv": COORDINATOR,
    "registry.import_confirm": COORDINATOR,
    "registry.rotate_calendar_secret": COORDINATOR,
    "registry.give_login": COORDINATOR,
    "registry.invite_all": COORDINATOR,
    "accounts.index": COORDINATOR,
    "accounts.new": COORDINATOR,
    "accounts.invite": COORDINATOR,
    "accounts.revoke_invitation": COORDINATOR,
    "accounts.unbind": COORDINATOR,
    "accounts.set_active": COORDINATOR,
    "accounts.end_sessions": COORDINATOR,
    "audit.index": COORDINATOR,
    "audit.events": COORDINATOR,
    "audit.export": COORDINATOR,
    "privacy.index": COORDINATOR,
    "privacy.export": COORDINATOR,
    "privacy.anonymise": COORDINATOR,
    "privacy.mine": STAFF_SELF,
    "registry.me": Access(ambassador=SELF),
    "calendar.download": Access(ambassador=SELF),
    "calendar.feed": Access(KEY, KEY, KEY, KEY, KEY, KEY),
    "organisation.tree": COORDINATOR,
    "organisation.edit": COORDINATOR,
    "organisation.delete": COORDINATOR,
    "organisation.import_csv": COORDINATOR,
    "leaders.index": COORDINATOR,
    "leaders.edit": COORDINATOR,
    "playbook.index": COORDINATOR,
    "playbook.add": COORDINATOR,
    "playbook.edit": COORDINATOR,
    "playbook.move": COORDINATOR,
    "playbook.retire": COORDINATOR,
    "notices.outbox": COORDINATOR,
    "notices.send_now": COORDINATOR,
    "notices.mine": STAFF_SELF,
    "notices.show": STAFF_SELF,
}


def check() -> None:
    """Refuse the request unless the endpoint's entry lets this person through.

    An open entry returns before the session is read, so a phone's poll stays one read.
    """
    endpoint = request.endpoint
    if endpoint is None:
        return  # no route matched: routing answers 404 or 405
    access = TABLE.get(endpoint)
    if access is None:
        abort(403)  # not in the table: nobody until someone decides
    if access.open:
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not any(current_user.has_role(role) for role in access.account_roles):
        abort(403)


def markdown(app) -> str:
    """The table as Markdown, one row per route, for docs/security.md's *Who may do what*."""
    lines = ["| route | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        access = TABLE.get(rule.endpoint)
        if rule.endpoint == "static" or access is None:
            continue
        methods = ", ".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        cells = [getattr(access, role) or "–" for role in ROLES]
        lines.append(f"| {methods} `{rule.rule}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def init_app(app) -> None:
    app.before_request(check)
