"""The PIDA dataset schema through the real action API: valid datasets in, each broken rule refused on its field
with a translated message, drafts allowed to be incomplete."""
import copy

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]


def create(data, **context):
    return helpers.call_action("package_create", context or None, **data)


def errors_of(data):
    with pytest.raises(tk.ValidationError) as e:
        create(data)
    return e.value.error_dict


def test_full_dataset_is_created_and_reads_back(full_dataset):
    pkg = create(full_dataset)

    shown = helpers.call_action("package_show", id=pkg["id"])
    assert shown["pida_priority"] == ["lobbying-register"]
    assert shown["pida_stages"] == ["prevention", "detection"]
    assert shown["pida_standards"] == ["popolo"]
    assert shown["pida_country"] == "CO"
    assert shown["frequency"].endswith("/frequency/MONTHLY")
    assert shown["temporal_coverage"] == [{"start": "2020-01-01", "end": "2025-12-31"}]
    assert shown["contact"][0]["email"] == "datos@transparencia.example.gov"
    # The priority concept is a tag of the shared vocabulary, not a free keyword.
    assert "lobbying-register" not in [t["name"] for t in shown["tags"]]


def test_update_keeps_and_changes_fields(full_dataset):
    pkg = create(full_dataset)
    pkg["pida_priority"] = ["lobbying-register", "meeting-records"]
    pkg["frequency"] = "WEEKLY"  # the EU code is accepted and stored as its URI

    updated = helpers.call_action("package_update", **pkg)

    assert updated["pida_priority"] == ["lobbying-register", "meeting-records"]
    assert updated["frequency"] == "http://publications.europa.eu/resource/authority/frequency/WEEKLY"
    assert updated["pida_anonymisation"] == full_dataset["pida_anonymisation"]


INVALID_CASES = [
    ({"pida_priority": ["lobbying-register", "registro-de-mascotas"]}, "pida_priority", "registro-de-mascotas"),
    ({"pida_anonymisation": ""}, "pida_anonymisation", "anonymisation"),
    ({"license_id": "other-closed"}, "license_id", "open licence"),
    ({"temporal_coverage": [{"start": "2024-05-01", "end": "2023-01-01"}]}, "temporal_coverage", "before"),
    ({"issued": "el 15 de enero"}, "issued", "YYYY-MM-DD"),
    ({"issued": "31/02/2024"}, "issued", "YYYY-MM-DD"),
    ({"frequency": "cada-tanto"}, "frequency", "update frequency"),
    ({"pida_country": "ZZ"}, "pida_country", "country"),
    ({"pida_stages": ["prevention", "magic"]}, "pida_stages", "stage"),
]


@pytest.mark.parametrize("change, field, words", INVALID_CASES)
def test_invalid_dataset_is_refused_on_the_right_field(full_dataset, change, field, words):
    data = dict(copy.deepcopy(full_dataset), **change)

    errors = errors_of(data)

    assert field in errors, errors
    assert words in " ".join(map(str, errors[field]))
    if isinstance(errors[field][0], str):
        assert len(errors[field]) == 1, errors[field]  # one clear message, not a pile of them


def test_personal_data_needs_no_anonymisation_when_not_public(full_dataset):
    data = dict(full_dataset, pida_anonymisation="",
                access_rights="http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
    assert create(data)["pida_personal_data"] == "yes"


def test_non_priority_dataset_may_use_a_closed_licence(full_dataset):
    data = dict(full_dataset, license_id="other-closed")
    data.pop("pida_priority")
    assert create(data)["license_id"] == "other-closed"


def test_draft_may_be_incomplete_but_publishing_may_not(org):
    draft = create({"name": "borrador", "owner_org": org["id"], "state": "draft",
                    "pida_personal_data": "yes"})
    assert draft["state"] == "draft"

    draft["state"] = "active"
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_update", **draft)
    assert {"notes", "frequency", "license_id", "pida_anonymisation"} <= set(e.value.error_dict)


def test_country_defaults_to_the_portal_setting(full_dataset, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.pida.country", "mx")
    data = dict(full_dataset)
    data.pop("pida_country")
    assert create(data)["pida_country"] == "MX"


@pytest.mark.parametrize("locale, expected", [
    ("es", "licencia abierta"),
    ("fr", "licence ouverte"),
    ("pt_BR", "licença aberta"),
])
def test_errors_are_translated(app, full_dataset, locale, expected):
    user = factories.SysadminWithToken()
    data = dict(full_dataset, license_id="other-closed")

    response = app.post("/{}/api/3/action/package_create".format(locale), json=data,
                        headers={"Authorization": user["token"]}, status=409)

    assert expected in " ".join(response.json["error"]["license_id"])


@pytest.mark.parametrize("change, field, words", INVALID_CASES)
def test_each_refusal_is_translated(app, full_dataset, change, field, words):
    """The same refusal, asked in English and in Spanish, on the same field, in two different languages."""
    user = factories.SysadminWithToken()
    data = dict(copy.deepcopy(full_dataset), **change)

    def error(prefix):
        response = app.post(prefix + "/api/3/action/package_create", json=data,
                            headers={"Authorization": user["token"]}, status=409)
        return str(response.json["error"][field])

    english, spanish = error(""), error("/es")
    assert words in english
    assert spanish != english


# --- What PIDA asks of a write (README: "What PIDA asks of a write") ---------------------------------------------

def _plain(org, **fields):
    """A dataset as a script writes it, declaring nothing PIDA asks."""
    return dict({"name": "compras-2024", "title": "Compras 2024", "owner_org": org["id"],
                 "resources": [{"url": "https://compras.example.gov/2024.csv", "format": "CSV"}]}, **fields)


def test_an_api_write_that_declares_nothing_is_not_asked_for_pida_fields(org):
    pkg = create(_plain(org))
    patched = helpers.call_action("package_patch", id=pkg["id"], title="Compras 2024 (cierre)")
    assert patched["title"] == "Compras 2024 (cierre)" and not patched.get("frequency")


def test_a_new_priority_dataset_is_asked_for_every_required_field(org):
    errors = errors_of(_plain(org, pida_priority=["contracts-register"]))
    assert {"notes", "frequency", "license_id", "pida_personal_data"} <= set(errors), errors


def test_declaring_a_priority_concept_asks_for_nothing_unrelated(org):
    """As a confirmed detection does: even under a licence that is not open (principle 3 then shows it)."""
    pkg = create(_plain(org, license_id="other-closed"))
    patched = helpers.call_action("package_patch", id=pkg["id"], pida_priority=["contracts-register"])
    assert patched["pida_priority"] == ["contracts-register"]
    with pytest.raises(tk.ValidationError) as e:  # changing the licence of a priority dataset is judged
        helpers.call_action("package_patch", id=pkg["id"], license_id="other-nc")
    assert "license_id" in e.value.error_dict


def test_emptying_a_required_field_of_a_priority_dataset_is_refused(full_dataset):
    pkg = create(full_dataset)
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_patch", id=pkg["id"], frequency="")
    assert e.value.error_dict == {"frequency": ["Missing value"]}


def test_a_stored_value_is_kept_unchanged_and_a_new_one_judged(org):
    import ckan.model as model
    from ckan.lib import search
    pkg = create(_plain(org))
    stored = model.Package.get(pkg["id"])
    stored.extras = dict(stored.extras, issued="marzo de 2019")  # as the portal held it before the plugin
    model.repo.commit()
    search.rebuild(pkg["id"])  # package_show answers from the index (the README: rebuild it after enabling)

    patched = helpers.call_action("package_patch", id=pkg["id"], title="Otro título")
    assert patched["issued"] == "marzo de 2019"
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_patch", id=pkg["id"], issued="abril de 2019")
    assert "issued" in e.value.error_dict
    assert helpers.call_action("package_patch", id=pkg["id"], issued="15/04/2019")["issued"] == "2019-04-15"


def test_extras_named_like_a_field_fill_the_field(org):
    pkg = create(_plain(org, extras=[{"key": "frequency", "value": "Mensual"}, {"key": "issued", "value": "15/03/2019"},
                                     {"key": "Fuente", "value": "SECOP"}]))
    assert pkg["frequency"] == "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    assert pkg["issued"] == "2019-03-15"
    assert [e["key"] for e in pkg["extras"]] == ["Fuente"]


def test_publishing_a_draft_needs_data(full_dataset):
    draft = create(dict(full_dataset, state="draft", resources=[]))
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_patch", id=draft["id"], state="active")
    assert list(e.value.error_dict) == ["data"]
    helpers.call_action("resource_create", package_id=draft["id"], url="https://example.gov/a.csv")
    assert helpers.call_action("package_patch", id=draft["id"], state="active")["state"] == "active"


def test_form_errors_name_their_field_page_and_link(app):
    from ckanext.pida.helpers import pida_form_errors
    with app.flask_app.test_request_context("/es/dataset/new/compras/5"):
        entries = pida_form_errors({"license_id": ["Missing value"], "data": ["Add a file"],
                                    "contact": [{"email": ['"x" is not an email address.']}]},
                                   "dataset", name="compras", current_page=2)
        on_data_page = pida_form_errors({"url": ["Add a file or a link"]}, "dataset", name="compras",
                                        resource_form=True)
    by_field = {e["field"]: e for e in entries}
    assert [e["field"] for e in entries] == ["contact", "license_id", "data"]  # in the form's order
    assert by_field["license_id"]["page"] == 4 and by_field["license_id"]["url"].endswith("/dataset/new/compras/4")
    assert by_field["contact"]["url"] is None  # the page shown: no link to itself
    assert by_field["contact"]["messages"] == ['Contact point 1 · Email: "x" is not an email address.']
    assert on_data_page[0]["page"] is None and on_data_page[0]["url"] is None  # the resource's URL, not page 5's
