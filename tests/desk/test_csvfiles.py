"""CSV files: cells a spreadsheet would run as formulas are written as text and read back unchanged."""
import pytest

from kerne.desk import csvfiles


@pytest.mark.parametrize("value, written", [
    ("=HYPERLINK(\"http://evil.example\",\"klik\")", "'=HYPERLINK(\"http://evil.example\",\"klik\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\tTAB", "'\tTAB"),
    ("Sygeplejerske", "Sygeplejerske"),
    ("'citat'", "'citat'"),
    ("", ""),
    (None, ""),
    (3, "3"),
])
def test_neutralise(value, written):
    assert csvfiles.neutralise(value) == written


def test_a_neutralised_file_reads_back_as_written_text():
    rows = [{"id": "1", "name": "=1+1"}, {"id": "2", "name": "+45 12 34 56 78"}, {"id": "3", "name": "'ok"}]
    data = csvfiles.write(("id", "name"), rows)
    assert b"'=1+1" in data and b";=1+1" not in data
    read = csvfiles.read(data, required=("id", "name"))
    assert [r.values["name"] for r in read] == ["=1+1", "+45 12 34 56 78", "'ok"]
