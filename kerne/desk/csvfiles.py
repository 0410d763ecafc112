"""CSV as the municipality's spreadsheets write it. Pure: no Flask, no database.

Excel in Danish saves UTF-8 with a byte-order mark and ``;`` between fields;
other tools write plain ``,``. Both are read; both can be written.
"""
import csv
import io
from dataclasses import dataclass

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value) -> str:
    """A cell a spreadsheet shows as the text it is, never runs: a leading apostrophe
    before anything that would start a formula (OWASP's advice for CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """The text a neutralised cell stood for, so an exported file imports unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS) else text


@dataclass(frozen=True)
class Row:
    line: int  # as the spreadsheet shows it: the header is line 1
    values: dict[str, str]


class CsvProblems(Exception):
    """Everything wrong with a file, line by line (None: the file as a whole); nothing from it is imported."""

    def __init__(self, problems: list[tuple[int | None, str]]):
        super().__init__("; ".join(f"{line}: {message}" for line, message in problems))
        self.problems = problems


def read(data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[Row]:
    """The data rows of a CSV file with the given columns (names case-insensitive)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:  # named by the line of the first byte that is not UTF-8
        raise CsvProblems([(data.count(b"\n", 0, error.start) + 1, "not_utf8")]) from None
    if not text.strip():
        raise CsvProblems([(None, "empty")])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CsvProblems([(None, "empty")]) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvProblems([(1, "missing_columns:" + ",".join(missing))])
    known = set(required) | set(optional)
    rows, problems = [], []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append((line, f"field_count:{len(header)}:{len(values)}"))
                continue
            rows.append(Row(line, {k: unneutralise(v.strip()) for k, v in zip(header, values) if k in known}))
    except csv.Error:
        problems.append((reader.line_num, "unreadable"))
    if problems:
        raise CsvProblems(problems)
    return rows


def write(header: tuple[str, ...], rows: list[dict], excel: bool = True) -> bytes:
    """A CSV file: for Excel in Danish (BOM and ``;``) or plain (``,``); formulas neutralised.

    Every field is quoted: a spreadsheet that splits the file on the other separator (a Danish Excel
    opening the plain file splits on ``;``) then still sees one cell, never a piece that starts a formula.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(row.get(name, "")) for name in header])
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
