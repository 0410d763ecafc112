"""The plan in words: why these two, and why a request could not be staffed."""
from flask_babel import format_decimal
from flask_babel import gettext as _

from kerne.matching import Assignment, Unstaffed

UNSTAFFED = {
    "nobody_free": lambda: _("Ingen ambassadører er fri på datoerne."),
    "one_free": lambda: _("Kun én ambassadør er fri på datoerne."),
    "one_department": lambda: _("De ambassadører, der er fri, er alle fra samme afdeling."),
    "taken": lambda: _("De ambassadører, der er fri, er sat på andre anmodninger eller har ikke flere forløb i sæsonen."),
}


def why_unstaffed(unstaffed: Unstaffed) -> str:
    return UNSTAFFED[unstaffed.reason]()


PAIR = {
    "apart": lambda: _("De to kommer fra forskellige områder."),
    "area": lambda: _("De to kommer fra forskellige afdelinger i samme område."),
    "department": lambda: _("De to kommer fra samme afdeling."),
    "workplace": lambda: _("De to kommer fra samme arbejdsplads."),
}
WHERE = {
    "apart": lambda: _("fra et andet område"),
    "area": lambda: _("fra en anden afdeling i samme område"),
    "department": lambda: _("fra en anden arbejdsplads i samme afdeling"),
    "workplace": lambda: _("fra arbejdspladsen selv"),
}


def where_from(relation: str) -> str:
    """Where an ambassador comes from, seen from the requesting workplace (Instance.relation)."""
    return WHERE[relation]()


def why_pair(assignment: Assignment, names: dict[str, str]) -> str:
    """A short Danish explanation of a pair: commitments served, where the two come from, professions."""
    reasons = assignment.reasons
    parts = []
    for ambassador, kind in reasons.commitments:
        if kind == "own":
            parts.append(_("%(name)s opfylder sin forpligtelse på egen arbejdsplads.", name=names[ambassador]))
        else:
            parts.append(_("%(name)s opfylder sin forpligtelse på en anden arbejdsplads.", name=names[ambassador]))
    parts.append(PAIR[reasons.pair_relation]())
    parts += [_("%(name)s er %(where)s.", name=names[member], where=where_from(relation))
              for member, relation in zip(assignment.ambassadors, reasons.relations)]
    first, second = reasons.professions
    if first != second:
        parts.append(_("Forskellige faggrupper (%(first)s og %(second)s).", first=first, second=second))
    else:
        parts.append(_("Samme faggruppe (%(profession)s).", profession=first))
    if reasons.repeated:
        parts.append(_("De har været par før."))
    if reasons.locked:
        parts.append(_("Låst af koordinatoren: %(names)s.", names=", ".join(names[a] for a in reasons.locked)))
    return " ".join(parts)


LEVEL_NAMES = {
    "staffed": lambda: _("bemandede anmodninger"),
    "commitments": lambda: _("opfyldte forpligtelser"),
    "distance": lambda: _("afstand"),
    "professions": lambda: _("forskellige faggrupper"),
    "load": lambda: _("jævn fordeling"),
    "repeats": lambda: _("nye par"),
}


# Levels whose value is a count a coordinator recognises; the others are weighted sums, named only.
COUNTED_LEVELS = ("staffed", "commitments")


def changes(summary: dict, value: dict) -> str:
    """How the plan as it stands differs from the engine's on each level, or "" when it does not."""
    engine = summary["objective"]
    changed = [level for level in LEVEL_NAMES if value.get(level) != engine.get(level)]
    return ", ".join(_("%(level)s: %(now)s i stedet for %(engine)s", level=LEVEL_NAMES[level](), now=value[level],
                       engine=engine[level]) if level in COUNTED_LEVELS else str(LEVEL_NAMES[level]())
                     for level in changed)


def proof(summary: dict, value: dict) -> list[str]:
    """What the engine proved about its plan, level by level, in the coordinator's words, for the plan
    whose figures are ``value``. A plan the coordinator changed into one with other figures is not the
    one the engine proved anything about: then what changed is said instead."""
    if "proven" not in summary:  # a proposal from before the levels were reported one by one
        return []
    changed = changes(summary, value)
    if changed:
        return [_("Planen er ændret efter motorens forslag, så motorens bevis gælder ikke for den. "
                  "Forskel fra motorens plan: %(changes)s.", changes=changed)]
    if summary["optimal"]:
        lines = [_("Motorens plan er bevist den bedst mulige på alle niveauer.")]
    else:
        proven, unproven = [], []
        for level, name in LEVEL_NAMES.items():
            gap = summary["gaps"][level]
            if summary["proven"][level]:
                proven.append(name())
            elif gap:
                unproven.append(_("%(level)s (højst %(gap)s fra det bedst mulige)", level=name(),
                                  gap=format_decimal(round(gap * 100, 1)) + " %"))
            else:
                unproven.append(_("%(level)s (når grænsen)", level=name()))
        lines = [_("Bevist den bedst mulige: %(levels)s.", levels=", ".join(proven) or _("intet niveau")),
                 _("Ikke bevist: %(levels)s.", levels=", ".join(unproven)),
                 _("Niveauerne går i den rækkefølge; et niveau er kun bevist, når niveauerne over det er.")]
    if not summary["repeatable"]:
        lines.append(_("Samme data kan give en anden plan næste gang: beregningen blev stoppet af tiden "
                       "eller delt mellem flere tråde."))
    return lines
