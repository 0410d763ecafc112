"""The library pages: search the locked core tasks of the whole organisation, see who shares a target
group and propose a talk across units, follow the talks; and the coordinator's target-group
vocabulary (rename, merge, map free text onto it)."""
from collections import Counter

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import delete, select
from wtforms import SelectChoice

from kerne.insight import filters
from kerne.insight.facts import gc_paused, load
from kerne.insight.library import conversations, terms
from kerne.insight.library import entries as library
from kerne.insight.library.forms import (
    AliasForm,
    ConversationForm,
    ProposeForm,
    TargetGroupForm,
    TargetGroupMergeForm,
)
from kerne.insight.statistics import talk_filter
from kerne.models import Conversation, CoreTaskDraft, OrgUnit, Process, ProcessRequest, TargetGroup, TargetGroupAlias
from kerne.records import audit
from kerne.web.clock import today
from kerne.web.extensions import db
from kerne.web.vocabulary import CONVERSATION_LABELS

bp = Blueprint("library", __name__)
PAGE_SIZE = 50


def _filters() -> dict:
    return {"q": request.args.get("q", "").strip()[:100], "area": request.args.get("area", type=int),
            "group": request.args.get("group", type=int), "page": max(1, request.args.get("page", 1, type=int))}


def _context() -> dict:
    filters = _filters()
    query = terms.Query(filters["q"])
    with gc_paused():  # one pause for reading and searching: the collector runs once, not between them
        found, words = library.entries(current_user)
        hits = library.search(found, query, filters["area"], filters["group"])
    areas = db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "area").order_by(OrgUnit.name))
    start = (filters["page"] - 1) * PAGE_SIZE
    return {"hits": hits[start:start + PAGE_SIZE], "count": len(hits), "total": len(found), "filters": filters,
            "words": words, "areas": areas.all(), "more": len(hits) > start + PAGE_SIZE, "query": query}


@bp.get("/library")
def index():
    """Kerneopgaver på tværs: every locked core task of the organisation, with search and filters."""
    return render_template("insight/library/index.html", **_context())


@bp.get("/library/results")
def results():
    """The results of the active search (a fragment, never in the history); the address bar gets the
    page's own address with the search, so it can be reloaded, shared and found again."""
    context = _context()
    kept = {k: v for k, v in context["filters"].items() if v and not (k == "page" and v == 1)}
    return render_block("insight/library/index.html", "results", **context), \
        {"HX-Replace-Url": url_for(".index", **kept)}


def _propose_form(this: library.Entry, words: library.Vocabulary, found: list, posted: bool = False):
    """The form to propose a talk with ``this`` entry's workplace, or None for someone who speaks for no other."""
    mine = [w for w in conversations.own_workplaces(current_user) if w.id != this.workplace_id]
    if not mine:
        return None
    form = ProposeForm(to_process=this.process_id, **({} if posted else {"formdata": None}))
    form.from_unit.choices = [SelectChoice(w.id, w.name) for w in mine]
    form.target_group.choices = [SelectChoice(g, g) for g in [*words.names(this.groups), *this.unmapped]]
    if not posted:
        wanted = request.args.get("from", type=int)
        sharing = {e.workplace_id: e.groups & this.groups for e in found if e.groups & this.groups}
        first = next((w.id for w in mine if w.id == wanted), None) or next((w.id for w in mine if w.id in sharing),
                                                                           mine[0].id)
        form.from_unit.data = first
        shared = words.names(sharing.get(first, ()))
        form.target_group.data = shared[0] if shared else None
    return form


def _entry_page(process_id: int, form=None, status: int = 200):
    found, words = library.entries(current_user)
    this = next((e for e in found if e.process_id == process_id), None)
    if this is None:
        abort(404)
    return render_template("insight/library/entry.html", entry=this, words=words, sharing=library.sharing(found, this),
                           speak_for=this.workplace_id if conversations.speaks_for(current_user, this.workplace_id)
                           else None,
                           propose_form=form or _propose_form(this, words, found)), status


@bp.get("/library/<int:process_id>")
def entry(process_id):
    """One core task, who shares its target groups across the organisation, and a talk to propose."""
    return _entry_page(process_id)


@bp.post("/conversations")
def propose():
    """Propose a talk across units about a target group shared with a core task of the library."""
    found, words = library.entries(current_user)
    wanted = request.form.get("to_process", "")
    this = next((e for e in found if wanted.isascii() and wanted.isdigit() and e.process_id == int(wanted)), None)
    if this is None:
        abort(404)
    form = _propose_form(this, words, found, posted=True)
    if form is None:
        abort(403)
    if not form.validate():
        return _entry_page(this.process_id, form, 422)
    waiting = conversations.open_talk(form.from_unit.data, this.workplace_id)
    if waiting is not None:
        form.from_unit.errors = [_("%(one)s og %(other)s har allerede en samtale på tværs, der ikke er holdt endnu "
                                   "(%(status)s). Følg den op under Samtaler på tværs.",
                                   one=waiting.from_unit.name, other=waiting.to_unit.name,
                                   status=str(CONVERSATION_LABELS[waiting.status]).lower())]
        return _entry_page(this.process_id, form, 422)
    talk = conversations.propose(current_user, db.session.get(OrgUnit, form.from_unit.data), this,
                                 form.target_group.data, form.message.data or "")
    db.session.commit()
    flash(_("Forslaget om en snak på tværs er sendt til kontakterne hos %(to)s og hos jer.", to=this.workplace), "info")
    return redirect(url_for(".conversations_page", _anchor=f"samtale-{talk.id}"))


def _conversation_form(talk: Conversation, posted: bool = False) -> ConversationForm:
    form = ConversationForm(prefix=f"talk-{talk.id}", meeting_on=talk.meeting_on, outcome=talk.outcome,
                            status="held" if talk.status == "agreed" else "agreed", **({} if posted else {"formdata": None}))
    form.status.choices = [SelectChoice(s, CONVERSATION_LABELS[s]) for s in conversations.STEPS]
    return form


def _conversations_page(status: int = 200, forms: dict | None = None):
    day = today()
    world = load(current_user, day, task_rows=False)
    # The dashboard's figure and this list pick the talks with one predicate, for the period and unit it was for.
    with filters.read_together():
        wanted = filters.one_of("status", CONVERSATION_LABELS)
        chosen = {"period": filters.period_in(day), "unit": filters.unit_among(world.organisation), "status": wanted}
    ids = [t.id for t in world.conversations if talk_filter(t, world.organisation, **chosen)]
    talks = db.session.scalars(conversations.visible(current_user).where(Conversation.id.in_(ids))).all()
    return render_template("insight/library/conversations.html", talks=talks, wanted=wanted,
                           kept=filters.args(chosen["period"], chosen["unit"]),
                           forms={t.id: (forms or {}).get(t.id) or _conversation_form(t) for t in talks}), status


@bp.get("/conversations")
def conversations_page():
    """Samtaler på tværs: the talks touching one's units, where each stands, and the next step."""
    return _conversations_page()


@bp.post("/conversations/<int:conversation_id>")
def update_conversation(conversation_id):
    """Mark a talk agreed (for a day) or held (on a day, with what came of it)."""
    talk = db.session.get(Conversation, conversation_id)
    if talk is None or not conversations.may_follow(current_user, talk):
        abort(404)  # outside the person's units: as if it did not exist
    form = _conversation_form(talk, posted=True)
    if not form.validate():
        return _conversations_page(422, {talk.id: form})
    conversations.advance(talk, form.status.data, form.meeting_on.data, form.outcome.data or "")
    db.session.commit()
    flash(_("Samtalen er opdateret."), "info")
    return redirect(url_for(".conversations_page", _anchor=f"samtale-{talk.id}"))


# ---- the target-group vocabulary ----------------------------------------------------

def _texts(mapped: dict) -> Counter:
    """Every free-text target group used in requests, processes and core-task drafts, by how often
    (a text mapped as a whole counts whole, as ``terms.groups_of`` reads it)."""
    used: Counter = Counter()
    for column in (ProcessRequest.target_groups, Process.target_groups, CoreTaskDraft.target_group):
        for (text,) in db.session.execute(select(column).where(column != "")):
            for label in [text] if terms.key(text) in mapped else terms.labels(text):
                used[label] += 1
    return used


def _vocabulary_page(status: int = 200, form: TargetGroupForm | None = None):
    words = library.vocabulary()
    used = _texts(words.aliases)
    by_group: Counter = Counter()
    unmapped: Counter = Counter()
    shown: dict[str, str] = {}
    for label, count in used.items():
        key = terms.key(label)
        mapped = words.aliases.get(key)
        if mapped:
            for group in mapped:
                by_group[group] += count
        else:
            unmapped[key] += count
            shown.setdefault(key, label)
    aliases: dict[int, list[str]] = {}
    for text, groups in words.aliases.items():
        for group in groups:
            aliases.setdefault(group, []).append(text)
    merge = TargetGroupMergeForm()
    return render_template(
        "insight/library/target_groups.html", words=words, by_group=by_group, aliases=aliases, form=form or TargetGroupForm(),
        unmapped=[(shown[k], k, n) for k, n in unmapped.most_common()], merge_form=merge,
        alias_form=AliasForm(formdata=None),
        groups=sorted(words.groups.items(), key=lambda item: item[1].casefold()),
    ), status


def _group(group_id: int) -> TargetGroup:
    return db.session.get(TargetGroup, group_id) or abort(404)


def _name_taken(form: TargetGroupForm, group: TargetGroup | None = None) -> bool:
    other = db.session.scalar(select(TargetGroup).where(TargetGroup.name == form.name.data))
    if other is not None and other is not group:
        form.name.errors = [_("Der er allerede en målgruppe med det navn.")]
        return True
    return False


@bp.route("/target-groups", methods=["GET", "POST"])
def target_groups():
    """The vocabulary: groups, the free texts mapped onto each, and the texts not mapped yet."""
    form = TargetGroupForm()
    if form.validate_on_submit() and not _name_taken(form):
        group = TargetGroup(name=form.name.data)
        db.session.add(group)
        db.session.flush()
        db.session.add(TargetGroupAlias(text=terms.key(group.name), target_group_id=group.id))
        audit.record("target_group.create", group, name=group.name)
        db.session.commit()
        flash(_("Målgruppen %(name)s er oprettet.", name=group.name), "info")
        return redirect(url_for(".target_groups"))
    return _vocabulary_page(422 if form.errors else 200, form)


@bp.post("/target-groups/<int:group_id>/rename")
def rename(group_id):
    """Rename a group; the texts mapped onto it stay mapped, and the old name maps onto it too."""
    group = _group(group_id)
    form = TargetGroupForm()
    if not form.validate() or _name_taken(form, group):
        flash(form.name.errors[0], "error")
        return _vocabulary_page(422)
    old = group.name
    group.name = form.name.data
    for text in {terms.key(old), terms.key(group.name)}:
        if db.session.get(TargetGroupAlias, (text, group.id)) is None:
            db.session.add(TargetGroupAlias(text=text, target_group_id=group.id))
    audit.record("target_group.rename", group, old=old, new=group.name)
    db.session.commit()
    flash(_("%(old)s hedder nu %(new)s.", old=old, new=group.name), "info")
    return redirect(url_for(".target_groups"))


@bp.post("/target-groups/<int:group_id>/merge")
def merge(group_id):
    """Merge a group into another: every text mapped onto it is mapped onto the other."""
    group = _group(group_id)
    form = TargetGroupMergeForm()
    if not form.validate():
        abort(422)
    into = _group(form.into.data)
    if into.id == group.id:
        abort(422, _("Vælg en anden målgruppe at slå sammen med."))
    moved = db.session.scalars(select(TargetGroupAlias.text).where(TargetGroupAlias.target_group_id == group.id)).all()
    kept = set(db.session.scalars(select(TargetGroupAlias.text).where(TargetGroupAlias.target_group_id == into.id)))
    db.session.execute(delete(TargetGroupAlias).where(TargetGroupAlias.target_group_id == group.id))
    for text in set(moved) - kept:
        db.session.add(TargetGroupAlias(text=text, target_group_id=into.id))
    audit.record("target_group.merge", into, merged=group.name, into=into.name, texts=sorted(moved))
    db.session.delete(group)
    db.session.commit()
    flash(_("%(old)s er slået sammen med %(new)s.", old=group.name, new=into.name), "info")
    return redirect(url_for(".target_groups"))


@bp.post("/target-groups/aliases")
def map_text():
    """Map a free text onto groups of the vocabulary, or onto a new group."""
    form = AliasForm()
    if not form.validate():
        abort(422)
    text = terms.key(form.text.data)
    wanted = {g for g in form.groups.data if db.session.get(TargetGroup, g) is not None}
    if form.new_group.data:
        group = db.session.scalar(select(TargetGroup).where(TargetGroup.name == form.new_group.data))
        if group is None:
            group = TargetGroup(name=form.new_group.data)
            db.session.add(group)
            db.session.flush()
            db.session.add(TargetGroupAlias(text=terms.key(group.name), target_group_id=group.id))
        wanted.add(group.id)
    if not wanted:
        flash(_("Vælg en målgruppe, eller skriv navnet på en ny."), "error")
        return _vocabulary_page(422)
    db.session.execute(delete(TargetGroupAlias).where(TargetGroupAlias.text == text))
    db.session.flush()
    for group_id in sorted(wanted):
        db.session.add(TargetGroupAlias(text=text, target_group_id=group_id))
    audit.record("target_group.map", None, text=text, groups=sorted(wanted))
    db.session.commit()
    flash(_("»%(text)s« er knyttet til målgrupperne.", text=form.text.data), "info")
    return redirect(url_for(".target_groups"))


