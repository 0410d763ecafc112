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


def test_every_field_is_quoted_exactly():
    data = csvfiles.write(("id", "faggruppe"), [{"id": 7, "faggruppe": "Sygeplejerske;=1+1"}], excel=False)
    assert data == b'"id","faggruppe"\r\n"7","Sygeplejerske;=1+1"\r\n'
    data = csvfiles.write(("id", "faggruppe"), [{"id": 7, "faggruppe": "Sygeplejerske,=1+1"}], excel=True)
    assert data == '\ufeff"id";"faggruppe"\r\n"7";"Sygeplejerske,=1+1"\r\n'.encode()


def spreadsheet_cells(line: str, separator: str) -> list[str]:
    """A line as a spreadsheet splits it: a quote turns quoting on or off wherever it stands, a separator
    outside quotes ends the cell, and the cell's value is its text without the quotes."""
    cells, cell, quoted = [], [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(char)
    return cells + ["".join(cell)]


@pytest.mark.parametrize("excel", [True, False], ids=["semicolons", "commas"])
def test_no_cell_becomes_a_formula_when_a_file_is_split_on_the_other_separator(excel):
    """A Danish Excel splits the plain file on ``;`` (and a tool the ``;`` file on ``,``): an unquoted
    ``Sygeplejerske;=1+1`` then made ``=1+1`` a cell of its own, run as a formula."""
    rows = [{"id": n, "faggruppe": f"Sygeplejerske{separator}{formula}"} for n, (separator, formula) in enumerate(
        ((s, f) for s in ";," for f in ("=1+1", "+1", "-1", "@SUM(A1)")), start=1)]
    data = csvfiles.write(("id", "faggruppe"), rows, excel=excel).decode("utf-8-sig")
    for separator in ";,":
        cells = [cell for line in data.splitlines() for cell in spreadsheet_cells(line, separator)]
        assert not [cell for cell in cells if cell.startswith(csvfiles.FORMULA_TRIGGERS)], (separator, cells)
    assert [r.values["faggruppe"] for r in csvfiles.read(data.encode(), required=("id", "faggruppe"))] == [
        r["faggruppe"] for r in rows]
