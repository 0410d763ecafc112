"""WTForms' own messages ("This field is required.", "Not a valid choice." …) in Danish.

WTForms ships no Danish catalogue, so without this its English reached Danish readers. The Danish words
are msgids of Kerne's own catalogue, so a reader who chose English reads English again.
kerne.web.forms.Form hands ``MESSAGES`` to every form as its translations (WTForms' ``Meta.get_translations``).
"""
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

_SINGLE = {
    "Field must be equal to %(other_name)s.": _l("Feltet skal være det samme som %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Skriv mellem %(min)d og %(max)d tegn."),
    "Number must be at least %(min)s.": _l("Tallet skal være mindst %(min)s."),
    "Number must be at most %(max)s.": _l("Tallet må højst være %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Tallet skal være mellem %(min)s og %(max)s."),
    "Date must be at least %(min)s.": _l("Datoen skal være %(min)s eller senere."),
    "Date must be at most %(max)s.": _l("Datoen skal være %(max)s eller tidligere."),
    "Date must be between %(min)s and %(max)s.": _l("Datoen skal være mellem %(min)s og %(max)s."),
    "This field is required.": _l("Feltet skal udfyldes."),
    "Invalid input.": _l("Det skrevne er ikke gyldigt."),
    "Invalid email address.": _l("Skriv en gyldig e-mailadresse."),
    "Invalid IP address.": _l("Skriv en gyldig IP-adresse."),
    "Invalid Mac address.": _l("Skriv en gyldig MAC-adresse."),
    "Invalid URL.": _l("Skriv en gyldig webadresse."),
    "Invalid UUID.": _l("Skriv et gyldigt UUID."),
    "Invalid value, must be one of: %(values)s.": _l("Værdien skal være en af: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Værdien må ikke være en af: %(values)s."),
    "This field cannot be edited.": _l("Feltet kan ikke ændres."),
    "This field is disabled and cannot have a value.": _l("Feltet er slået fra og kan ikke have en værdi."),
    "Invalid CSRF Token.": _l("Siden er for gammel til at gemme fra. Indlæs den igen, og prøv igen."),
    "CSRF token missing.": _l("Siden er for gammel til at gemme fra. Indlæs den igen, og prøv igen."),
    "CSRF failed.": _l("Siden er for gammel til at gemme fra. Indlæs den igen, og prøv igen."),
    "CSRF token expired.": _l("Siden er for gammel til at gemme fra. Indlæs den igen, og prøv igen."),
    "Invalid Choice: could not coerce.": _l("Vælg en af mulighederne på listen."),
    "Not a valid choice.": _l("Vælg en af mulighederne på listen."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Vælg blandt mulighederne på listen."),
    "Not a valid datetime value.": _l("Skriv en gyldig dato og et gyldigt klokkeslæt."),
    "Not a valid date value.": _l("Skriv en gyldig dato."),
    "Not a valid time value.": _l("Skriv et gyldigt klokkeslæt."),
    "Not a valid week value.": _l("Skriv en gyldig uge."),
    "Not a valid integer value.": _l("Skriv et helt tal."),
    "Not a valid decimal value.": _l("Skriv et tal."),
    "Not a valid float value.": _l("Skriv et tal."),
}

# WTForms formats these after translating (``% {"min": …}``), so they go through the catalogue unformatted.
_COUNTED = {
    "Field must be at least %(min)d character long.": lambda n: get_translations().ungettext(
        "Skriv mindst %(min)d tegn.", "Skriv mindst %(min)d tegn.", n),
    "Field cannot be longer than %(max)d character.": lambda n: get_translations().ungettext(
        "Skriv højst %(max)d tegn.", "Skriv højst %(max)d tegn.", n),
    "Field must be exactly %(max)d character long.": lambda n: get_translations().ungettext(
        "Skriv præcis %(max)d tegn.", "Skriv præcis %(max)d tegn.", n),
    "'%(value)s' is not a valid choice for this field.": lambda n: get_translations().ungettext(
        "»%(value)s« er ikke et af valgene.", "»%(value)s« er ikke blandt valgene.", n),
}


class BuiltInMessages:
    """The translations object WTForms asks (``gettext``/``ngettext``); a message it does not know stays as is."""

    def gettext(self, string: str) -> str:
        danish = _SINGLE.get(string)
        return string if danish is None else str(danish)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        counted = _COUNTED.get(singular)
        if counted is None:
            return singular if n == 1 else plural
        return counted(n)


MESSAGES = BuiltInMessages()
