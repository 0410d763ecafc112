"""Every UI string goes through Flask-Babel, and English has all of them."""
import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)\w")
CATALOGUE = ROOT / "kerne" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def extracted(tmp_path) -> set:
    """What README's extract command finds: babel.cfg's patterns are paths from the top of the project."""
    pot = tmp_path / "messages.pot"
    # From the root, as README's translation update runs it: babel.cfg's patterns (kerne/**.py,
    # templates/**.html) are paths from there, and match nothing inside kerne/ or templates/.
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), str(ROOT)]
    )
    with pot.open("rb") as f:
        found = {m.id for m in read_po(f) if m.id}
    assert len(found) > 500, "babel.cfg's patterns matched next to nothing: the check would check nothing"
    return found


def test_every_string_in_the_code_has_an_english_translation(tmp_path):
    found = extracted(tmp_path)
    with CATALOGUE.open("rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}
    missing = sorted(str(i) for i in found - catalogue.keys())
    assert missing == [], "run the translation update described in docs/development.md"
    untranslated = sorted(
        str(m.id) for m in catalogue.values()
        if m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string))
    )
    assert untranslated == []


def placeholders(texts) -> set:
    texts = texts if isinstance(texts, tuple) else (texts,)
    return set(PLACEHOLDER.findall(" ".join(texts)))


def test_placeholders_survive_translation():
    with CATALOGUE.open("rb") as f:
        for message in read_po(f):
            if message.id:
                assert placeholders(message.id) == placeholders(message.string), message.id


# The words that may follow a number in a message that is not ngettext's: they read the same for one and for
# many. Any other word after a number is a count with a noun, which ngettext must word ("used 1 times").
SAME_FOR_ONE_AND_MANY = {"min", "min.", "s", "missing", "of", "is", "are", "at", "on", "about", "opened", "closed",
                         "newest", "due", "more."}
COUNT = re.compile(r"%\((?:n|num|count|total|s)\)[sd] ([\w.]+)")


def test_a_count_with_a_noun_goes_through_ngettext():
    with CATALOGUE.open("rb") as f:
        counted = [(str(m.id), word) for m in read_po(f) if m.id and not m.pluralizable
                   for word in COUNT.findall(m.string) if word not in SAME_FOR_ONE_AND_MANY]
    assert counted == []


def test_one_and_many_in_danish_and_english(app):
    for lang, words in (("da", ["brugt 1 gang", "brugt 2 gange"]), ("en", ["used 1 time", "used 2 times"])):
        with force_locale(lang):
            assert [ngettext("brugt %(num)d gang", "brugt %(num)d gange", n) for n in (1, 2)] == words
