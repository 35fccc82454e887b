"""The coverage report as a spreadsheet (/pida/coverage.xlsx): what opens in any Excel or LibreOffice whatever
its locale, where a CSV's separator and decimal point depend on the reader's regional settings.

Three sheets, one per view of the report: the countries (totals, shares, quality), the cells (one row per country
and priority dataset, to filter or pivot) and the datasets counted in each cell. Numbers are numbers, shares are
percentages (0.1333 shown as 13 %), dates are dates; each sheet has a frozen header row and a filter. Text that
comes from catalogues (a dataset's title) is always written as text, never as a formula."""
from __future__ import annotations

import datetime
import io
from typing import Callable, Optional

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ckanext.pida.coverage import DETECTED, MISSING, NOT_OPENING, OUT_OF_DATE, PUBLISHED

PERCENT = "0%"
SCORE = "0.0"
DATE = "yyyy-mm-dd"

#: The columns of the countries' sheet: (key in the texts, number format).
COUNTRY_COLUMNS = [("country", None), ("name", None), ("datasets", "0"), (PUBLISHED, "0"), (OUT_OF_DATE, "0"),
                   (NOT_OPENING, "0"), (DETECTED, "0"), (MISSING, "0"), ("share_up_to_date", PERCENT),
                   ("share_published", PERCENT), ("share_detected", PERCENT), ("quality_score", SCORE),
                   ("quality_rating", None), ("share_links_working", PERCENT), ("share_machine_readable", PERCENT)]


def to_xlsx(rep: dict, texts: dict, statuses: dict, dataset_url: Callable[[str], str]) -> bytes:
    """The workbook of ``rep`` (a coverage report). ``texts`` holds the sheet names and headers in the reader's
    language, keyed by the machine ids of the CSV's columns and ``sheet_*``/``cell_*``/``dataset_*``; ``statuses``
    the labels of the statuses and ratings; ``dataset_url(name)`` a dataset's address."""
    book = Workbook()
    countries = book.active
    countries.title = _sheet_name(texts["sheet_countries"])
    _header(countries, [texts[key] for key, _ in COUNTRY_COLUMNS])
    for r in rep["countries"]:
        t, quality = r["totals"], r.get("quality") or {}
        values = {"country": r["code"], "name": r["name"], "datasets": r["datasets"],
                  **{s: t[s] for s in (PUBLISHED, OUT_OF_DATE, NOT_OPENING, DETECTED, MISSING)},
                  "share_up_to_date": r["share_up_to_date"], "share_published": r["share_published"],
                  "share_detected": r["share_detected"], "quality_score": quality.get("score"),
                  "quality_rating": statuses.get(quality.get("rating")) if quality.get("rating") else None,
                  "share_links_working": r.get("share_links_working"),
                  "share_machine_readable": r.get("share_machine_readable")}
        _row(countries, [(values[key], fmt) for key, fmt in COUNTRY_COLUMNS])

    cells = book.create_sheet(_sheet_name(texts["sheet_cells"]))
    _header(cells, [texts[k] for k in ("country", "name", "cell_notation", "cell_concept", "cell_status",
                                       "cell_datasets", "cell_broken_since")])
    datasets = book.create_sheet(_sheet_name(texts["sheet_datasets"]))
    _header(datasets, [texts[k] for k in ("country", "name", "cell_notation", "cell_concept", "dataset_title",
                                          "dataset_url", "cell_status", "dataset_modified", "quality_score")])
    for r in rep["countries"]:
        for concept in rep["concepts"]:
            cell = r["cells"][concept["id"]]
            _row(cells, [(r["code"], None), (r["name"], None), (concept.get("notation"), None),
                         (concept["label"], None), (statuses.get(cell["status"], cell["status"]), None),
                         (len(cell["datasets"]), "0"), (_date(cell.get("broken_since")), DATE)])
            for d in cell["datasets"]:
                _row(datasets, [(r["code"], None), (r["name"], None), (concept.get("notation"), None),
                                (concept["label"], None), (d["title"], None), (dataset_url(d["name"]), "link"),
                                (statuses.get(d["status"], d["status"]), None), (_date(d.get("modified")), DATE),
                                (d.get("quality"), SCORE)])
    for sheet in book.worksheets:
        _finish(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(text: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in text)[:31]


def _header(sheet, labels: list) -> None:
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _row(sheet, values: list) -> None:
    sheet.append([None] * len(values))
    for cell, (value, fmt) in zip(sheet[sheet.max_row], values):
        if value is None or value == "":
            continue
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # a title beginning with "=" stays a title, never a formula
            if fmt == "link":
                cell.hyperlink = value
                cell.style = "Hyperlink"
        elif fmt:
            cell.number_format = fmt


def _date(value) -> Optional[datetime.date]:
    """A date of the report (ISO, with or without a time) as a date; None when there is none or it is not one."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _finish(sheet) -> None:
    """A frozen header, a filter on every column and widths that fit the texts (within reason)."""
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(sheet.iter_cols(max_row=min(sheet.max_row, 200)), start=1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
