"""A portal that keeps its own ckanext-scheming schema adds the PIDA fields as presets (issue #17). The portal's
schema here is ckanext-dcat's DCAT-AP schema (``dcat_ap_full.yaml``, as installed) with the README's block of PIDA
fields added as it stands in the README, and ``after_validators: pida_dataset_rules``; the portal then runs on it:
its fields kept, PIDA datasets written and refused by the PIDA rules, the form, the page, the coverage and the
catalogue. Real stack: PostgreSQL, Solr, the portal plugins."""
import datetime
import os
import re

import pytest
import yaml

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.conftest import PORTAL_PLUGINS

HERE = os.path.dirname(__file__)
CONTRACTS = "contracts-register"

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.ckan_config("ckanext.pida.country", "CO"),
              pytest.mark.usefixtures("clean_index")]


def readme_block() -> list[dict]:
    """The PIDA fields as the README tells a portal to add them (between its pida-fields markers)."""
    with open(os.path.join(HERE, "..", "README.md"), encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"<!-- pida-fields:start -->\s*```yaml\n(.*?)```\s*<!-- pida-fields:end -->", text, re.S)
    return yaml.safe_load(block.group(1))


def dcat_ap_schema() -> dict:
    import ckanext.dcat
    path = os.path.join(os.path.dirname(ckanext.dcat.__file__), "schemas", "dcat_ap_full.yaml")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture
def portal_schema(ckan_config, monkeypatch, tmp_path):
    schema = dcat_ap_schema()
    schema["dataset_fields"] += readme_block()
    schema["after_validators"] = "pida_dataset_rules"
    path = tmp_path / "portal_schema.yaml"
    path.write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    monkeypatch.setitem(ckan_config, "scheming.dataset_schemas", "file://" + str(path))
    return schema


@pytest.fixture
def portal(portal_schema, org):
    return org


def _dataset(org, **fields):
    data = {"name": "contratos-2025", "title": "Contratos públicos 2025", "owner_org": org["id"],
            "notes": "Contratos firmados por las entidades del Estado.", "license_id": "cc-by",
            "frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
            "modified": datetime.date.today().isoformat(), "resources": [{"url": "https://datos.example.gov.co/contratos.csv",
                                                     "format": "CSV"}]}
    data.update(fields)
    return helpers.call_action("package_create", **data)


def test_the_portal_keeps_its_fields_and_gains_the_pida_ones(portal):
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    fields = scheming_get_dataset_schema("dataset")["dataset_fields"]
    names = [f["field_name"] for f in fields]
    own = [f["field_name"] for f in dcat_ap_schema()["dataset_fields"]]
    assert names[:len(own)] == own  # the portal's own fields, first, in its order
    assert names[len(own):] == [f["field_name"] for f in readme_block()]
    priority = next(f for f in fields if f["field_name"] == "pida_priority")
    assert priority["label"]["es"] == "Conjunto(s) de datos prioritario(s) PIDA"
    assert "pida_priority_to_tags" in priority["validators"]


def test_a_pida_dataset_on_the_portals_schema(portal, app):
    pkg = _dataset(portal, pida_priority=[CONTRACTS], pida_country="CO", pida_personal_data="no",
                   conforms_to=["https://standard.open-contracting.org/"])
    assert pkg["pida_priority"] == [CONTRACTS] and pkg["pida_country"] == "CO"
    assert pkg["conforms_to"] == ["https://standard.open-contracting.org/"]  # a field of the portal's schema

    [row] = helpers.call_action("pida_coverage_show", country="CO")["countries"]
    assert row["cells"][CONTRACTS]["status"] == "published"

    page = app.get("/es/dataset/contratos-2025").body
    assert 'class="pida-block' in page and "Registro de contratos" in page  # the concept, in Spanish
    turtle = app.get("/dataset/contratos-2025.ttl").body
    assert CONTRACTS in turtle

    sysadmin = factories.SysadminWithToken()
    form = app.get("/es/dataset/new", headers={"Authorization": sysadmin["token"]}).body
    assert 'name="pida_priority"' in form and 'name="conforms_to"' in form


def test_the_pida_rules_hold_on_the_portals_schema(portal):
    with pytest.raises(tk.ValidationError) as refused:  # PIDA A.11: personal data, public, no anonymisation
        _dataset(portal, pida_priority=[CONTRACTS], pida_country="CO", pida_personal_data="yes")
    assert "pida_anonymisation" in refused.value.error_dict
    with pytest.raises(tk.ValidationError) as refused:
        _dataset(portal, name="otro", pida_priority=["no-such-dataset"])
    assert "pida_priority" in refused.value.error_dict


def test_an_old_style_write_works_and_is_detected(portal):
    pkg = _dataset(portal, name="secop-contratos", title="Contratos electrónicos del SECOP II",
                   conforms_to=["https://standard.open-contracting.org/"])
    assert not pkg.get("pida_priority")
    assert CONTRACTS in [p["id"] for p in pkg["pida_detection"]["pending"]]
    patched = helpers.call_action("package_patch", id=pkg["id"], title="Contratos electrónicos del SECOP II (2025)")
    assert patched["conforms_to"] == pkg["conforms_to"] and patched["frequency"] == pkg["frequency"]
    assert CONTRACTS in [p["id"] for p in patched["pida_detection"]["pending"]]
