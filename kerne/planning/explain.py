"""The plan in words: why these two, and why a request could not be staffed."""
from flask_babel import gettext as _

from ..matching import Assignment, Unstaffed

UNSTAFFED = {
    "nobody_free": lambda: _("Ingen ambassadører er fri på datoerne."),
    "one_free": lambda: _("Kun én ambassadør er fri på datoerne."),
    "one_department": lambda: _("De ambassadører, der er fri, er alle fra samme afdeling."),
    "taken": lambda: _("De ambassadører, der er fri, er sat på andre anmodninger eller har ikke flere forløb i sæsonen."),
}


def why_unstaffed(unstaffed: Unstaffed) -> str:
    return UNSTAFFED[unstaffed.reason]()


def why_pair(assignment: Assignment, names: dict[str, str]) -> str:
    """A short Danish explanation of a pair: commitments served, distance, professions."""
    reasons = assignment.reasons
    parts = []
    for ambassador, kind in reasons.commitments:
        if kind == "own":
            parts.append(_("%(name)s opfylder sin forpligtelse på egen arbejdsplads.", name=names[ambassador]))
        else:
            parts.append(_("%(name)s opfylder sin forpligtelse på en anden arbejdsplads.", name=names[ambassador]))
    if reasons.pair_distance >= 6:
        parts.append(_("De to kommer fra forskellige områder."))
    else:
        parts.append(_("De to kommer fra forskellige afdelinger i samme område."))
    parts.append(_("Afstand til arbejdspladsen i organisationen: %(first)s og %(second)s led.",
                   first=reasons.distances[0], second=reasons.distances[1]))
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
