"""The Charter principle evaluation on hand-made datasets: fully met, partly met, not met; and through the API."""
import copy
import datetime

import pytest

from ckan.tests import helpers

from ckanext.pida import principles, vocabulary
from tests.conftest import FULL_DATASET, PORTAL_PLUGINS

NOW = datetime.datetime(2026, 6, 1)


def full():
    data = copy.deepcopy(FULL_DATASET)
    data["modified"] = "2026-05-20"
    data["isopen"] = True
    return data


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
class TestEvaluate:
    def test_fully_described_dataset_meets_every_principle(self):
        evaluation = principles.evaluate(full(), NOW)
        assert {p: e["status"] for p, e in evaluation.items()} == dict.fromkeys(evaluation, "met")
        assert len(evaluation) == 6

    def test_stale_dataset_partly_meets_timeliness(self):
        data = dict(full(), modified="2026-03-01")  # monthly, three months old: 92 days > 30 x 1.2
        evaluation = principles.evaluate(data, NOW)
        assert evaluation["timely-comprehensive"]["status"] == "partly"
        assert evaluation["timely-comprehensive"]["checks"]["updated_within_interval"] is False

    def test_tolerance_is_configurable(self, ckan_config, monkeypatch):
        data = dict(full(), modified="2026-04-25")  # 37 days for a monthly dataset
        assert principles.evaluate(data, NOW)["timely-comprehensive"]["checks"]["updated_within_interval"] is False
        monkeypatch.setitem(ckan_config, "ckanext.pida.coverage.tolerance", "1.5")
        assert principles.evaluate(data, NOW)["timely-comprehensive"]["checks"]["updated_within_interval"] is True

    def test_bare_dataset_meets_almost_nothing(self):
        bare = {"name": "x", "private": True, "pida_priority": ["lobbying-register"], "isopen": False}
        evaluation = principles.evaluate(bare, NOW)
        statuses = {p: e["status"] for p, e in evaluation.items()}
        assert statuses == dict.fromkeys(statuses, "not_met")

    def test_personal_data_without_anonymisation_is_partly_open(self):
        data = dict(full(), pida_anonymisation="")
        evaluation = principles.evaluate(data, NOW)
        assert evaluation["open-by-default"]["status"] == "partly"

    def test_standard_check_does_not_apply_where_no_standard_exists(self):
        data = dict(full(), pida_priority=["asset-declarations"], pida_standards=[], conforms_to=[])
        assert not vocabulary.concept("asset-declarations")["standards"]
        checks = principles.evaluate(data, NOW)["comparable-interoperable"]["checks"]
        assert checks["standard_declared"] is None

    def test_frequency_beats_the_concept_interval(self):
        data = dict(full(), frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL",
                    modified="2025-09-01")
        assert principles.is_up_to_date(data, NOW) is True
        data["frequency"] = ""  # then the concept's own maximum interval applies
        concept = vocabulary.concept("lobbying-register")
        assert principles.allowed_interval(data) == principles.parse_duration(concept["max_update_interval"])

    @pytest.mark.parametrize("lang, key", [("es", "es"), ("en", "en"), ("fr", "fr"), ("pt_BR", "pt")])
    def test_reasons_in_the_users_language(self, lang, key):
        data = dict(full(), frequency="")
        explained = principles.explain(principles.evaluate(data, NOW), lang)

        timely = next(p for p in explained if p["id"] == "timely-comprehensive")
        assert timely["status"] == "partly"
        principle = next(p for p in vocabulary.principles() if p["id"] == "timely-comprehensive")
        assert timely["label"] == principle["label"][key]
        assert timely["reasons"] == [vocabulary.checks()["frequency_declared"]["fail"][key]]


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_principles_action_and_index(full_dataset):
    pkg = helpers.call_action("package_create", **dict(full_dataset, pida_anonymisation="",
                              access_rights="http://publications.europa.eu/resource/authority/access-right/RESTRICTED"))

    explained = helpers.call_action("pida_principles_show", id=pkg["name"], lang="es")

    by_id = {p["id"]: p for p in explained}
    assert by_id["open-by-default"]["status"] == "partly"
    assert by_id["open-by-default"]["label"] == "Abiertos por defecto"
    assert by_id["comparable-interoperable"]["status"] == "met"
    # The same evaluation is in the search index, as a facet.
    found = helpers.call_action("package_search", fq='vocab_pida_principles:"open-by-default:partly"')
    assert [r["name"] for r in found["results"]] == [pkg["name"]]
