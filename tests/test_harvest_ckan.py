"""The CKAN action API reader (source type pida_ckan) against a real plain CKAN site on 127.0.0.1
(tests/remote_ckan.py): the first run creates everything, a no-change run imports nothing, an edit updates exactly
that dataset, a deletion is propagated by a full run, a failed run deletes nothing, private datasets never come
through, and the remote's resources, tags, organisation and extras are mapped."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import helpers
from ckanext.harvest.model import HarvestObject

from ckanext.pida.hub.harvesters import runner
from tests.remote_ckan import remote_ckan  # noqa: F401 (fixture)
from tests.test_harvest import counts, harvested_from, hub, make_source  # noqa: F401 (hub: fixture)

pytestmark = [pytest.mark.ckan_config("ckan.plugins",
                                      "pida pida_hub pida_ckan scheming_datasets dcat harvest"),
              pytest.mark.usefixtures("hub")]
FREQ = "http://publications.europa.eu/resource/authority/frequency/"


def test_a_plain_ckan_portal_is_federated_run_after_run(hub, remote_ckan):
    org = remote_ckan.call("organization_create", name="agencia-compras", title="Agencia de Compras Públicas")
    made = []
    for i in range(5):  # more than one page (page_size 2)
        made.append(remote_ckan.call(
            "package_create", name="compras-%d" % i, title="Compras públicas %d" % i, owner_org=org["id"],
            notes="Órdenes de compra del Estado.", license_id="cc-by", tags=[{"name": "compras"}],
            maintainer="Mesa de datos", maintainer_email="datos@compras.example.gob",
            extras=[{"key": "frequency", "value": "R/P1M"}, {"key": "sector", "value": "hacienda"}],
            resources=[{"url": "https://compras.example.gob/ordenes-%d.csv" % i, "name": "Órdenes", "format": "CSV"}]))
    remote_ckan.call("package_create", name="secreto", title="Secreto", owner_org=org["id"], private=True)
    source = make_source(hub, remote_ckan.url, "UY", page_size=2, full_run_days=7)
    source = helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_ckan")

    runner.run_now(source["id"])

    found = harvested_from(source["id"])
    assert set(found) == {"Compras públicas %d" % i for i in range(5)}  # the private one never comes through
    pkg = found["Compras públicas 0"]
    assert pkg["name"].startswith("uy-") and pkg["license_id"] == "cc-by" and pkg["frequency"] == FREQ + "MONTHLY"
    assert [t["name"] for t in pkg["tags"]] == ["compras"]
    assert pkg["publisher"][0]["name"] == "Agencia de Compras Públicas"
    assert pkg["contact"][0]["email"] == "datos@compras.example.gob"
    assert pkg["resources"][0]["url"] == "https://compras.example.gob/ordenes-0.csv"
    assert pkg["pida_harvest"]["source_fields"]["extras"] == {"sector": "hacienda"}
    assert counts(source["id"])["added"] == 5

    objects = model.Session.query(HarvestObject).count()
    # As if the first run had been an hour later: the next, incremental run asks for changes since then, and the
    # portal answers with none (an empty page that is no problem).
    import datetime
    from ckanext.pida.hub.model import HarvestRun
    last = model.Session.query(HarvestRun).filter_by(source_id=source["id"]).one()
    last.started += datetime.timedelta(hours=1)
    model.Session.commit()
    runner.run_now(source["id"])  # incremental: asks only for what changed
    assert model.Session.query(HarvestObject).count() == objects
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert health["last_run"]["mode"] == "incremental" and health["problems"] == [] and health["health"] == "ok"
    first = model.Session.get(HarvestRun, last.job_id)  # back to the real time, for the runs below
    first.started -= datetime.timedelta(hours=1)
    model.Session.commit()

    remote_ckan.call("package_patch", id=made[1]["id"], title="Compras públicas 1 (revisado)")
    runner.run_now(source["id"])
    assert counts(source["id"])["updated"] == 1
    assert "Compras públicas 1 (revisado)" in harvested_from(source["id"])

    remote_ckan.call("package_delete", id=made[2]["id"])
    runner.run_now(source["id"], full=True)  # a full run's diff propagates the deletion
    assert counts(source["id"])["deleted"] == 1 and len(harvested_from(source["id"])) == 4

    helpers.call_action("harvest_source_patch", id=source["id"], url="http://127.0.0.1:9/")  # nothing listens
    runner.run_now(source["id"], full=True)
    assert len(harvested_from(source["id"])) == 4  # a failed run deletes nothing


def test_a_value_the_schema_refuses_leaves_its_field_and_the_dataset_lands(hub, remote_ckan):
    """Lenient means lenient for the CKAN API reader too: a date the schema cannot read and a resource link that a
    browser would run never stop the dataset; what was left out is in its provenance, and on the health page."""
    org = remote_ckan.call("organization_create", name="contraloria", title="Contraloría General")
    remote_ckan.call(
        "package_create", name="sanciones", title="Proveedores sancionados", owner_org=org["id"],
        notes="Empresas inhabilitadas para contratar con el Estado.", maintainer="Mesa de datos",
        maintainer_email="datos@contraloria.example.gob", extras=[{"key": "issued", "value": "marzo de 2019"}],
        resources=[{"url": "javascript:alert(document.domain)", "name": "Descarga", "format": "CSV"},
                   {"url": "https://contraloria.example.gob/sanciones.csv", "name": "sanciones.csv", "format": "CSV"}])
    source = make_source(hub, remote_ckan.url, "UY")
    source = helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_ckan")

    runner.run_now(source["id"])

    pkg = harvested_from(source["id"])["Proveedores sancionados"]  # (the remote keeps the other test's datasets)
    assert pkg["contact"][0]["email"] == "datos@contraloria.example.gob" and not pkg.get("issued")
    assert "javascript:" not in " ".join(r.get("url") or "" for r in pkg["resources"])
    refused = {r["field"]: r["value"] for r in pkg["pida_harvest"]["refused"]}
    assert refused["resources.url"] == "javascript:alert(document.domain)"
    assert refused["issued"] == "marzo de 2019", refused
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert "refused_values" in {p["code"] for p in health["problems"]} and health["counts"]["errored"] == 0
