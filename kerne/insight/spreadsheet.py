"""Excel workbooks (.xlsx) with openpyxl. Pure: no Flask, no database.

Every text cell is written as text: one that starts like a formula (``=``, ``+``,
``-``, ``@`` …) is stored as a string with Excel's quote prefix, so it shows as
typed and is never run, not even after someone edits the cell. Numbers stay
numbers and dates stay dates.

openpyxl is imported when a workbook is made or read, not with the app: it
costs every server process a second at start for a page few people ask for.
"""
import io
from datetime import date, datetime

from kerne.desk.csvfiles import FORMULA_TRIGGERS


def write(header: tuple[str, ...], rows: list[dict], title: str = "Kerne") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, name in enumerate(header, start=1):
            value = row.get(name, "")
            cell = sheet.cell(row=number, column=column, value=None)
            if isinstance(value, bool) or value is None:
                cell.value = "" if value is None else ("ja" if value else "nej")
            elif isinstance(value, int | float | date | datetime):
                cell.value = value
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = str(value)
                cell.data_type = "s"  # never a formula, whatever it starts with
                if cell.value.startswith(FORMULA_TRIGGERS):
                    cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes) -> tuple[list[str], list[list]]:
    """The header and rows of the first sheet, as the cells hold them (for tests and checks)."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [str(v) for v in rows[0]], rows[1:]
