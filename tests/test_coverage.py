"""Coverage of the priority datasets on a hand-made case: countries by the 30 priority datasets."""
from __future__ import annotations

import copy
import csv
import datetime
import io

import pytest

from ckan.tests import factories, helpers

from ckanext.pida import coverage

MONTHLY = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
DAILY = "http://publications.europa.eu/resource/authority/frequency/DAILY"
IRREGULAR = "http://publications.europa.eu/resource/authority/frequency/IRREG"
NOW = datetime.datetime(2026, 6, 30, 12, 0)


def ds(name, country, priority, frequency, modified, **extra):
    return dict({"name": name, "title": name, "pida_country": country, "pida_priority": priority,
                 "frequency": frequency, "modified": modified,
                 "resources": [{"url": "https://datos.example.gov/{}.csv".format(name), "format": "CSV"}]}, **extra)


def test_a_dataset_without_a_file_or_link_never_counts():
    """Issue #17: «Publicar» with no data once moved Colombia from 13 % to 17 %."""
    empty = ds("co-lobby-empty", "CO", ["lobbying-register"], MONTHLY, "2026-06-10", resources=[])
    rep = coverage.build([empty, ds("co-budget", "CO", ["budgets"], MONTHLY, "2026-06-10")], now=NOW)
    cells = rep["countries"][0]["cells"]
    assert cells["lobbying-register"]["status"] == "missing" and cells["budgets"]["status"] == "published"
    assert rep["countries"][0]["datasets"] == 1


HAND_MADE = [
    # Colombia: lobbying up to date (monthly, 20 days old); contracts out of date (daily, months old); budgets
    # has one old and one fresh dataset (the fresh one wins); spending monthly, 33 days old: within 1.2 x 30 days.
    ds("co-lobby", "CO", ["lobbying-register"], MONTHLY, "2026-06-10"),
    ds("co-contracts", "CO", ["contracts-register"], DAILY, "2026-01-01"),
    ds("co-budget-old", "CO", ["budgets"], MONTHLY, "2024-01-01"),
    ds("co-budget", "CO", ["budgets", "spending"], MONTHLY, "2026-05-28"),
    # Mexico: an irregular dataset is judged by its concept's max_update_interval (voting records: P1M), so 2019
    # is late; a dataset with no date of update at all cannot be judged late.
    ds("mx-voting", "MX", ["voting-records"], IRREGULAR, "2019-01-01"),
    ds("mx-grants", "MX", ["government-grants"], MONTHLY, None),
    # Not counted: no priority concept; an unknown concept; an unknown country.
    ds("co-other", "CO", [], MONTHLY, "2026-06-01"),
    ds("co-unknown", "CO", ["not-a-concept"], MONTHLY, "2026-06-01"),
    ds("xx-lobby", "XX", ["lobbying-register"], MONTHLY, "2026-06-01"),
]


def test_cells_totals_and_shares_on_a_hand_made_case():
    rep = coverage.build(copy.deepcopy(HAND_MADE), countries=["AR"], now=NOW, lang="en")

    rows = {r["code"]: r for r in rep["countries"]}
    assert list(rows) == ["AR", "CO", "MX"]  # sorted by name; Argentina is a row with nothing published
    assert len(rep["concepts"]) == 30
    co = rows["CO"]
    status = {cid: cell["status"] for cid, cell in co["cells"].items() if cell["status"] != "missing"}
    assert status == {"lobbying-register": "published", "contracts-register": "out_of_date",
                      "budgets": "published", "spending": "published"}
    assert [d["name"] for d in co["cells"]["budgets"]["datasets"]] == ["co-budget-old", "co-budget"]
    assert co["totals"] == {"published": 3, "out_of_date": 1, "not_opening": 0, "detected": 0, "missing": 26, "total": 30}
    assert co["datasets"] == 4
    assert co["share_up_to_date"] == round(3 / 30, 4) and co["share_published"] == round(4 / 30, 4)
    assert sum(co["principles"]["timely-comprehensive"].values()) == 4

    mx = rows["MX"]
    assert mx["cells"]["voting-records"]["status"] == "out_of_date"
    assert mx["cells"]["government-grants"]["status"] == "published"
    assert mx["totals"] == {"published": 1, "out_of_date": 1, "not_opening": 0, "detected": 0, "missing": 28, "total": 30}
    assert rows["AR"]["totals"] == {"published": 0, "out_of_date": 0, "not_opening": 0, "detected": 0, "missing": 30, "total": 30}


@pytest.mark.ckan_config("ckanext.pida.coverage.tolerance", "1.0")
def test_the_tolerance_is_configurable():
    late = [ds("co-spending", "CO", ["spending"], MONTHLY, "2026-05-28")]  # 33 days, monthly
    assert coverage.build(late, now=NOW)["countries"][0]["cells"]["spending"]["status"] == "out_of_date"


def test_csv_has_one_row_per_country_and_one_column_per_priority_dataset():
    rep = coverage.build(copy.deepcopy(HAND_MADE), now=NOW, lang="en")
    rows = list(csv.DictReader(io.StringIO(coverage.to_csv(rep))))
    assert [r["country"] for r in rows] == ["CO", "MX"]
    assert rows[0]["contracts-register"] == "out_of_date" and rows[0]["published"] == "3"
    assert len(rows[0]) == 15 + 30 and rows[0]["detected"] == "0" and rows[0]["share_detected"] == "0.0"
    assert rows[0]["not_opening"] == "0" and 0 < float(rows[0]["quality_score"]) <= 405
    assert rows[0]["share_links_working"] == ""  # no link checked: blank, not 0


# --- on a portal, through Solr ---------------------------------------------------------------------------------

@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_coverage_of_a_national_portal_through_the_search_index(full_dataset, migrate_db_for, app):
    migrate_db_for("pida")
    helpers.call_action("package_create", **full_dataset)
    late = dict(copy.deepcopy(full_dataset), name="contratos", title="Contratos",
                pida_priority=["contracts-register"], frequency=DAILY, modified="2020-01-01")
    helpers.call_action("package_create", **late)
    private = dict(copy.deepcopy(full_dataset), name="presupuesto-privado", pida_priority=["budgets"], private=True)
    helpers.call_action("package_create", **private)

    rep = helpers.call_action("pida_coverage_show", country="CO", lang="es")

    [co] = rep["countries"]
    assert co["cells"]["lobbying-register"]["status"] == "published"
    assert co["cells"]["contracts-register"]["status"] == "out_of_date"
    assert co["cells"]["budgets"]["status"] == "missing"  # private datasets do not count
    assert co["totals"] == {"published": 1, "out_of_date": 1, "not_opening": 0, "detected": 0, "missing": 28, "total": 30}
    assert co["principles"]["open-by-default"]["met"] == 2

    # The page, JSON and CSV say the same.
    assert app.get("/pida/coverage.json?country=CO").json["countries"][0]["totals"] == co["totals"]
    assert "contracts-register" in app.get("/pida/coverage.csv").body
    page = app.get("/pida/coverage").body
    assert "/dataset/registro-de-cabilderos" in page

    # A snapshot a day, for the progress chart.
    sysadmin = factories.Sysadmin()
    assert helpers.call_action("pida_coverage_snapshot", {"user": sysadmin["name"]})["countries"] == 1
    assert helpers.call_action("pida_coverage_snapshot", {"user": sysadmin["name"]})["countries"] == 1
    history = helpers.call_action("pida_coverage_history", country="CO")
    assert history == [{"day": datetime.date.today().isoformat(), "country": "CO", "published": 1,
                        "out_of_date": 1, "missing": 28, "share_up_to_date": round(1 / 30, 4)}]
    from ckan.plugins import toolkit as tk
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("pida_coverage_snapshot", {"user": factories.User()["name"], "ignore_auth": False})


def test_translated_csv_keeps_the_ids_in_its_headers():
    rep = coverage.build(copy.deepcopy(HAND_MADE), now=NOW, lang="es")
    rows = list(csv.reader(io.StringIO(coverage.to_csv(rep, {"name": "País", "published": "Publicado"},
                                                       {"out_of_date": "Desactualizado"}))))
    assert rows[0][1] == "País [name]" and rows[0][3] == "Publicado [published]"
    assert "Registro de contratos [contracts-register]" in rows[0]
    assert rows[1][rows[0].index("Registro de contratos [contracts-register]")] == "Desactualizado"


def test_the_workbook_has_typed_numbers_every_country_intact_and_no_formula_from_a_title():
    """Issue #20: a CSV with a dot before decimals lands in column A of an Excel set up for Colombia; the workbook
    carries numbers, percentages and dates as such, whatever the reader's locale."""
    from openpyxl import load_workbook
    from ckanext.pida import coverage_xlsx, vocabulary
    datasets = copy.deepcopy(HAND_MADE) + [ds("=HYPERLINK(\"http://evil.example\")", "BR", ["budgets"], MONTHLY,
                                              "2026-06-20")]
    every = [c["code"] for c in vocabulary.countries()]
    rep = coverage.build(datasets, countries=every, now=NOW, lang="es")
    texts = {key: key for key, _ in coverage_xlsx.COUNTRY_COLUMNS}
    texts.update({"sheet_countries": "Países", "sheet_cells": "Conjuntos prioritarios por país: [celdas]",
                  "sheet_datasets": "Conjuntos contados", "cell_notation": "N.º", "cell_concept": "Conjunto",
                  "cell_status": "Estado", "cell_datasets": "Conjuntos", "cell_broken_since": "No abre desde",
                  "dataset_title": "Título", "dataset_url": "Dirección", "dataset_modified": "Actualizado"})
    body = coverage_xlsx.to_xlsx(rep, texts, {"published": "Publicado y actualizado"},
                                 lambda name: "https://datos.example.gov/dataset/" + name)
    book = load_workbook(io.BytesIO(body))

    assert book.sheetnames == ["Países", "Conjuntos prioritarios por país", "Conjuntos contados"]
    countries = book["Países"]
    header = [c.value for c in countries[1]]
    rows = {r[0].value: {h: c for h, c in zip(header, r)} for r in countries.iter_rows(min_row=2)}
    assert len(rows) == len(every) > 30  # every member state, each name as the vocabulary spells it
    assert {code: rows[code]["name"].value for code in rows} == {r["code"]: r["name"] for r in rep["countries"]}
    assert rows["MX"]["name"].value == "México"
    co = rows["CO"]
    assert co["published"].value == 3 and isinstance(co["published"].value, int)
    assert co["share_up_to_date"].value == pytest.approx(0.1, abs=1e-4)
    assert co["share_up_to_date"].number_format == "0%"
    assert rows["AR"]["datasets"].value == 0 and rows["AR"]["quality_score"].value is None

    cells = list(book["Conjuntos prioritarios por país"].iter_rows(min_row=2, values_only=True))
    assert len(cells) == len(every) * 30
    assert ("CO", "Colombia") == cells[[c[:2] for c in cells].index(("CO", "Colombia"))][:2]
    assert any(c[0] == "CO" and c[4] == "Publicado y actualizado" and c[5] == 2 for c in cells)  # budgets: 2

    counted = book["Conjuntos contados"]
    evil = next(r for r in counted.iter_rows(min_row=2) if r[0].value == "BR")
    assert evil[4].value == '=HYPERLINK("http://evil.example")' and evil[4].data_type == "s"  # text, not a formula
    assert evil[5].hyperlink.target.startswith("https://datos.example.gov/dataset/")
    assert evil[7].value == datetime.datetime(2026, 6, 20) and evil[7].number_format == "yyyy-mm-dd"


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_exports_open_in_a_spreadsheet_and_errors_answer_in_json(full_dataset, migrate_db_for, app):
    migrate_db_for("pida")
    helpers.call_action("package_create", **dict(full_dataset, pida_country="MX"))

    response = app.get("/pida/coverage.csv?lang=es")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Código del país [country]", "País [name]"]
    assert rows[1][:2] == ["MX", "México"]
    assert rows[1][rows[0].index("Registro de cabilderos [lobbying-register]")] == "Publicado y actualizado"
    assert "published" in app.get("/pida/coverage.csv?lang=id").body.splitlines()[0].split(",")

    from openpyxl import load_workbook
    response = app.get("/pida/coverage.xlsx?lang=es&country=MX")
    assert response.headers["Content-Disposition"].endswith("pida-coverage-mx.xlsx")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Países", "Conjuntos prioritarios por país", "Conjuntos de datos contados"]
    head, row = list(book["Países"].iter_rows(max_row=2, values_only=True))
    assert row[:2] == ("MX", "México") and head[:2] == ("Código del país", "País")
    assert row[head.index("Porcentaje actualizado")] == pytest.approx(1 / 30, abs=1e-4)

    for path in ("/pida/coverage.json?country=XX", "/pida/coverage.csv?country=XX", "/pida/coverage.xlsx?country=XX"):
        error = app.get(path, status=400)
        assert error.headers["Content-Type"].startswith("application/json")
        assert error.json["success"] is False and "XX" in error.json["error"]["country"][0]


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_backfill_rebuilds_the_past_from_the_datasets_dates_and_keeps_recorded_days(full_dataset, migrate_db_for):
    migrate_db_for("pida")
    today = datetime.date.today()
    # Released 100 days ago, updated monthly, last updated 10 days ago: before that update, it was last updated at
    # its release.
    helpers.call_action("package_create", **dict(full_dataset, issued=(today - datetime.timedelta(days=100)).isoformat(),
                                                 modified=(today - datetime.timedelta(days=10)).isoformat()))
    sysadmin = factories.Sysadmin()
    helpers.call_action("pida_coverage_snapshot", {"user": sysadmin["name"]})

    stored = helpers.call_action("pida_coverage_backfill", {"user": sysadmin["name"]}, days=105, step=7)

    assert stored == {"days": 15}
    by_day = {h["day"]: h for h in helpers.call_action("pida_coverage_history", country="CO")}
    assert len(by_day) == 15  # today's recorded snapshot, and 14 rebuilt days on which Colombia had a dataset
    day = lambda back: (today - datetime.timedelta(days=back)).isoformat()  # noqa: E731
    assert day(105) not in by_day  # not released yet: no row for Colombia
    assert by_day[day(98)]["published"] == 1  # released two days before
    assert by_day[day(63)]["out_of_date"] == 1  # 37 days after its release, monthly x 1.2 = 36 days
    assert by_day[day(7)]["published"] == 1  # updated 3 days before
    assert by_day[day(0)]["published"] == 1  # the recorded snapshot is kept
    from ckan.plugins import toolkit as tk
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("pida_coverage_backfill", {"user": factories.User()["name"], "ignore_auth": False})


def test_detected_datasets_make_cells_detected_and_never_count_as_published():
    base = coverage.build(copy.deepcopy(HAND_MADE), now=NOW, lang="en")["countries"][0]
    missing = next(c for c, cell in base["cells"].items() if cell["status"] == "missing")
    published = next(c for c, cell in base["cells"].items() if cell["status"] == "published")
    evidence = [{"term": "x", "field": "title", "kind": "strong", "text": "x"}]
    detected = {"name": "co-detectado", "title": "Detectado", "pida_country": "CO",
                "pida_harvest": {"detection": {"pending": [{"id": missing, "score": 0.9, "evidence": evidence},
                                                           {"id": published, "score": 0.8, "evidence": evidence}]}}}

    co = coverage.build(copy.deepcopy(HAND_MADE) + [detected], now=NOW, lang="en")["countries"][0]

    assert co["cells"][missing]["status"] == "detected"
    assert co["cells"][missing]["datasets"][0]["evidence"] == evidence
    assert co["cells"][published]["status"] == "published"  # a declared dataset wins over a detection
    assert co["totals"]["detected"] == 1 and co["totals"]["missing"] == base["totals"]["missing"] - 1
    assert (co["share_published"], co["share_up_to_date"]) == (base["share_published"], base["share_up_to_date"])
    assert co["share_detected"] == round(1 / 30, 4) and co["detected_datasets"] == 1
    assert co["datasets"] == base["datasets"]  # counted apart from the declared ones
    row = next(csv.DictReader(io.StringIO(coverage.to_csv({"concepts": [], "countries": [co]}))))
    assert row["detected"] == "1"


def test_a_cell_with_a_detection_and_a_dataset_whose_data_does_not_open_says_since_when():
    """Found on the demo hub: a detected dataset (no link state of its own) listed first in a cell whose declared
    dataset's links fail made the whole coverage fail."""
    evidence = [{"term": "x", "field": "title", "kind": "strong", "text": "x"}]
    detected = {"name": "co-detectado", "title": "Detectado", "pida_country": "CO",
                "pida_harvest": {"detection": {"pending": [{"id": "company-register", "score": 0.9,
                                                            "evidence": evidence}]}}}
    broken = dict(ds("co-empresas", "CO", ["company-register"], MONTHLY, "2026-06-20"),
                  _quality={"opens": False, "broken_since": "2026-05-01T00:00:00"})

    co = coverage.build([detected, broken], now=NOW, lang="en")["countries"][0]

    cell = co["cells"]["company-register"]
    assert cell["status"] == "not_opening" and cell["broken_since"] == "2026-05-01T00:00:00"
    assert [d["name"] for d in cell["datasets"]] == ["co-detectado", "co-empresas"]


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_coverage_read_from_the_index_equals_the_one_built_from_whole_datasets(full_dataset, migrate_db_for,
                                                                                 cli):
    """The report reads a few stored fields of the index (no dataset loaded or validated); it gives the same numbers
    as the report built from the datasets themselves, and tells out of date at request time: a dataset that went
    out of date after it was indexed is out of date in the coverage at once, and ``ckan pida reindex-stale``
    brings its Charter evaluation in the index up to date."""
    import freezegun
    from ckanext.pida import indexing
    from ckanext.pida.cli import pida as pida_cli
    migrate_db_for("pida")
    helpers.call_action("package_create", **full_dataset)
    helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="contratos", title="Contratos",
                                                 pida_priority=["contracts-register"], frequency=DAILY,
                                                 modified="2020-01-01"))
    forty_days_ago = datetime.datetime.utcnow() - datetime.timedelta(days=40)
    with freezegun.freeze_time(forty_days_ago):  # up to date when indexed: monthly, updated that day
        helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="presupuesto",
                                                     title="Presupuesto", pida_priority=["budgets"],
                                                     modified=forty_days_ago.date().isoformat()))
    now = datetime.datetime.utcnow()

    from_index = coverage.build(coverage.index_datasets("CO"), ["CO"], now=now, lang="en")
    whole = coverage.build(coverage.site_datasets({"ignore_auth": True}, "CO"), ["CO"], now=now, lang="en")

    [co], [co_whole] = from_index["countries"], whole["countries"]
    assert co["cells"]["budgets"]["status"] == "out_of_date"  # out of date now, though indexed up to date
    assert {c: cell["status"] for c, cell in co["cells"].items()} == \
        {c: cell["status"] for c, cell in co_whole["cells"].items()}
    assert co["totals"] == co_whole["totals"] and co["datasets"] == co_whole["datasets"] == 3
    assert co["principles"]["timely-comprehensive"] != co_whole["principles"]["timely-comprehensive"]  # stale

    assert indexing.stale_in_index() == [helpers.call_action("package_show", id="presupuesto")["id"]]
    result = cli.invoke(pida_cli, ["reindex-stale"])
    assert result.exit_code == 0 and "1 datasets" in result.output, result.output
    assert indexing.stale_in_index() == []
    [co] = coverage.build(coverage.index_datasets("CO"), ["CO"], now=now, lang="en")["countries"]
    assert co["principles"] == co_whole["principles"]


def test_a_dataset_indexed_before_the_coverage_fields_still_shows_its_detections():
    """A hub upgraded without a search index rebuild: the document has the detected concepts but not the values a
    cell shows; the cell is still detected (without its evidence)."""
    from ckanext.pida import coverage, indexing
    doc = {"name": "ar-magistrados", "title": "Magistrados", "vocab_pida_country": ["AR"],
           "vocab_pida_detected": ["public-officials-register"]}
    report = coverage.build([coverage._from_index(doc)], ["AR"])
    cell = report["countries"][0]["cells"]["public-officials-register"]
    assert cell["status"] == coverage.DETECTED and cell["datasets"][0]["name"] == "ar-magistrados"
    assert coverage._from_index(dict(doc, **{indexing.COVERAGE_FIELD: "{}"}))["pida_detection"] == {"pending": []}


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_index_is_read_page_by_page_ahead_of_the_report(full_dataset, monkeypatch):
    """Pages of the index are fetched in a thread ahead of the reader: the same datasets whatever the page size, and
    a reader that stops early leaves no thread behind."""
    import threading
    import time
    for name in ("uno", "dos", "tres"):
        helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name=name, title=name.title()))
    whole = sorted(d["name"] for d in coverage.index_datasets())
    monkeypatch.setattr(coverage, "INDEX_PAGE", 1)
    assert sorted(d["name"] for d in coverage.index_datasets()) == whole == ["dos", "tres", "uno"]

    reader = coverage.index_datasets()
    next(reader)
    reader.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(t.name == "pida-coverage-pages" for t in threading.enumerate()):
        time.sleep(0.1)
    assert not any(t.name == "pida-coverage-pages" for t in threading.enumerate())


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.ckan_config("ckanext.pida.coverage.countries", "CL CO MX PE")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_page_ranks_the_region_remembers_the_readers_country_and_says_what_to_do_next(
        full_dataset, migrate_db_for, app):
    """Issue #20: countries by rank with the regional average, the reader's country first and remembered, its
    headline (rank of N, average, change) and next steps (late datasets with how late and who publishes them, the
    missing datasets its peers publish); a country without data is listed as such, not as 0 %."""
    migrate_db_for("pida")
    helpers.call_action("package_create", **full_dataset)  # Colombia: lobbying, up to date
    late = (datetime.date.today() - datetime.timedelta(days=400)).isoformat()
    helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="contratos-co",
                                                 title="Contratos SECOP", pida_priority=["contracts-register"],
                                                 modified=late, issued=late))
    for code, concepts in (("MX", ["lobbying-register", "budgets", "spending"]), ("CL", ["budgets"])):
        helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="datos-" + code.lower(),
                                                     pida_country=code, pida_priority=concepts))

    page = app.get("/es/pida/coverage").body
    table = page[page.index("pida-score-table"):page.index("</table>", page.index("pida-score-table"))]
    assert table.index("México") < table.index("Colombia") < table.index("Chile")  # by rank
    assert "Perú" not in table  # no data: listed apart, never a 0 % row
    without = page[page.index("pida-without-data"):]
    assert "Perú" in without[:without.index("</ul>")] and "Nada publicado todavía" in without
    assert "Promedio regional: 6 %" in page  # (3 + 1 + 1) / 30 / 3 = 5.6 %

    response = app.get("/es/pida/coverage?country=CO")
    assert "pida_country=CO" in response.headers.get("Set-Cookie", "")
    headline = response.body[response.body.index("pida-headline"):]
    headline = headline[:headline.index("</section>")]
    assert "puesto 2 de 3" in headline and "promedio regional 6 %" in headline
    assert "sin registro de hace 90 días todavía" in headline
    assert "Contratos SECOP" in headline and "Ministerio de Transparencia" in headline
    assert "días de retraso" in headline
    # Budgets: published by Mexico and Chile, both other countries with data.
    assert "Presupuestos: publicado por 2 de los otros 2 países" in headline

    # As the picker left it on an earlier visit (a client of its own: CKAN 2.11's app keeps no cookies).
    def visit(url, cookie):
        return app.test_client(use_cookies=False).get(url, headers={"Cookie": "pida_country=" + cookie}).body
    page = visit("/es/pida/coverage", "CL")
    table = page[page.index("pida-score-table"):]
    assert table.index("Chile") < table.index("México")  # the reader's country first
    assert "su país" in table[:table.index("México")]
    by_name = visit("/es/pida/coverage?sort=name", "XX")  # a cookie that names no country changes nothing
    table = by_name[by_name.index("pida-score-table"):]
    assert table.index("Chile") < table.index("Colombia") < table.index("México")


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_a_one_page_country_profile_in_html_and_pdf_in_each_language(full_dataset, migrate_db_for, app):
    """Issue #20: for an OAS review session, a country's score, rank, trend, principles and top actions on one
    page, in HTML and in a PDF (read back with pypdf: one A4 page, in the language asked); and the region's summary."""
    import pypdf
    migrate_db_for("pida")
    helpers.call_action("package_create", **full_dataset)  # Colombia: the lobbying register
    helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="datos-mx", pida_country="MX",
                                                 pida_priority=["lobbying-register", "budgets"]))
    sysadmin = factories.Sysadmin()
    helpers.call_action("pida_coverage_backfill", {"user": sysadmin["name"]}, days=120, step=30)

    page = app.get("/es/pida/coverage/CO/profile").get_data(as_text=True)
    assert "<h1>Colombia · Conjuntos de datos prioritarios del PIDA</h1>" in page
    assert "puesto 2 de 2" in page and "3 %" in page  # 1 of 30
    assert page.count('<th scope="row">') == 6  # the six principles, with their key
    assert "Publicar «Presupuestos»: publicado por 1 de los otros 1 país" in page  # what Mexico has and Colombia not
    assert '<polyline' in page and "Promedio regional" in page  # the trend, beside the region's
    assert "/es/pida/coverage/CO/profile.pdf" in page and "/fr/pida/coverage/CO/profile" in page

    for lang, words in (("es", "publicados y actualizados"), ("fr", "publiés et à jour"),
                        ("pt_BR", "publicados e atualizados"), ("en", "published and up to date")):
        response = app.get("/{}/pida/coverage/CO/profile.pdf".format(lang))
        assert response.headers["Content-Type"] == "application/pdf"
        pdf = pypdf.PdfReader(io.BytesIO(response.data))
        assert len(pdf.pages) == 1, lang  # one page for the review session
        text = " ".join(pdf.pages[0].extract_text().split())
        assert words in text and "2" in text, (lang, text[:300])
    assert abs(float(pdf.pages[0].mediabox.width) - 595.3) < 1  # A4

    region = pypdf.PdfReader(io.BytesIO(app.get("/es/pida/coverage/profile.pdf").data))
    text = region.pages[0].extract_text()
    assert len(region.pages) == 1 and "México" in text and "Colombia" in text
    assert app.get("/pida/coverage/XX/profile", status=404)
    coverage_page = app.get("/es/pida/coverage?country=CO").get_data(as_text=True)
    assert "/es/pida/coverage/CO/profile" in coverage_page  # one click from the coverage
