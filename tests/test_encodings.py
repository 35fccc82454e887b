"""The common encodings of languages, frequencies and licences that catalogues use, mapped to the schema's values."""
import pytest

from ckan.tests import helpers

from ckanext.pida import encodings
from tests.conftest import PORTAL_PLUGINS

LANG = "http://publications.europa.eu/resource/authority/language/"
FREQ = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.mark.parametrize("value, expected", [
    ("es", "SPA"), ("es-AR", "SPA"), ("pt_BR", "POR"), ("spa", "SPA"), ("SPA", "SPA"), ("fre", "FRA"), ("ger", "DEU"),
    (LANG + "DEU", "DEU"), ("http://id.loc.gov/vocabulary/iso639-2/fre", "FRA"),
    ("http://id.loc.gov/vocabulary/iso639-1/en", "ENG"), ("http://lexvo.org/id/iso639-3/por", "POR"),
    ("Español", "SPA"), ("quechua", "QUE"), ("klingon", None), ("", None),
])
def test_languages(value, expected):
    assert encodings.language_uri(value) == (LANG + expected if expected else None)


@pytest.mark.parametrize("value, expected", [
    ("http://purl.org/cld/freq/daily", "DAILY"), ("http://purl.org/cld/freq/semimonthly", "MONTHLY_2"),
    ("R/P1Y", "ANNUAL"), ("r/p1m", "MONTHLY"), ("R/P0.5W", "WEEKLY_2"), ("eventual", "IRREG"), ("irregular", "IRREG"),
    ("P3M", "QUARTERLY"), ("MONTHLY", "MONTHLY"), ("annual", "ANNUAL"), (FREQ + "WEEKLY", "WEEKLY"),
    ("mensual", "MONTHLY"), ("whenever", None),
])
def test_frequencies(value, expected):
    assert encodings.frequency_uri(value) == (FREQ + expected if expected else None)


@pytest.mark.parametrize("value, expected", [
    ("https://creativecommons.org/licenses/by/4.0/", "cc-by"), ("http://creativecommons.org/licenses/by/4.0", "cc-by"),
    ("Creative Commons Attribution 4.0", "cc-by"), ("CC0-1.0", "cc-zero"),
    ("http://www.opendatacommons.org/licenses/odbl/1.0/", "odc-odbl"),
    ("Open Data Commons Open Database License (ODbL)", "odc-odbl"),  # Argentina's data.json
    ("http://dcat-ap.de/def/licenses/cc-zero", "cc-zero"), ("https://open.canada.ca/en/open-government-licence-canada",
                                                            "other-at"),
    ("https://datos.madrid.es/egob/catalogo/aviso-legal", None),
])
def test_licences(value, expected):
    assert encodings.licence_id(value) == expected


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_api_takes_languages_and_frequencies_in_any_common_encoding(full_dataset):
    from ckan.plugins import toolkit as tk
    pkg = helpers.call_action("package_create", **dict(full_dataset, language=["es", "en-US"], frequency="R/P1M"))
    assert pkg["language"] == [LANG + "SPA", LANG + "ENG"] and pkg["frequency"] == FREQ + "MONTHLY"
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action("package_create", **dict(full_dataset, name="otro", language=["klingon"]))
    assert "klingon" in str(refused.value.error_dict["language"])


@pytest.mark.parametrize("value, expected", [
    ("Anual", "ANNUAL"), ("Diária", "DAILY"), ("Mensal", "MONTHLY"), ("  semanal ", "WEEKLY"),
    ("Quinzenal", "BIWEEKLY"), ("Trimestrielle", "QUARTERLY"), ("Tiempo real", "CONT"), ("R/P3M", "QUARTERLY"),
    ("cuando se requiera", None),
])
def test_frequency_words_of_legacy_extras(value, expected):
    uri = encodings.frequency_uri(value)
    assert (uri.rsplit("/", 1)[-1] if uri else None) == expected


@pytest.mark.parametrize("value, expected", [
    ("15/03/2019", "2019-03-15"), ("03/15/2019", "2019-03-15"), ("05/04/2019", "2019-04-05"),
    ("2019/03/15", "2019-03-15"), ("15.03.2019", "2019-03-15"), ("15-03-2019 10:30", "2019-03-15T10:30:00"),
    ("2019-03-15", "2019-03-15"), ("2019", "2019"), ("2019-05", "2019-05"), ("31/02/2019", None),
    ("marzo de 2019", None), ("", None),
])
def test_dates_as_portals_write_them(value, expected):
    assert encodings.iso_date(value) == expected


@pytest.mark.parametrize("value, expected", [("Sí", "yes"), ("SIM", "yes"), ("Oui", "yes"), ("Não", "no"),
                                             ("no", "no"), ("Non", "no"), ("quizás", None)])
def test_yes_and_no_in_four_languages(value, expected):
    assert encodings.yes_no(value) == expected
