"""Every UI string goes through Flask-Babel, and English has all of them."""
import re
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)\w")
CATALOGUE = ROOT / "kerne" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def extracted(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    # From the root, as README's translation update runs it: babel.cfg's patterns (kerne/**.py,
    # templates/**.html) are paths from there, and match nothing inside kerne/ or templates/.
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), str(ROOT)]
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_every_string_in_the_code_has_an_english_translation(tmp_path):
    found = extracted(tmp_path)
    assert len(found) > 500, "the extraction found (almost) nothing: babel.cfg and the paths disagree"
    with CATALOGUE.open("rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}
    missing = sorted(str(i) for i in found - catalogue.keys())
    assert missing == [], "run the translation update described in README"
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
