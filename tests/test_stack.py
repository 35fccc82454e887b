"""The stack is real: plugins load, CKAN writes to PostgreSQL, indexes in Solr and talks to Redis."""
import pytest

import ckan.lib.redis as ckan_redis
import ckan.lib.search as search
import ckan.model as model
import ckan.plugins as p
from ckan.tests import factories, helpers


@pytest.mark.ckan_config("ckan.plugins", "pida")
@pytest.mark.usefixtures("with_plugins")
def test_national_plugin_loads():
    assert p.plugin_loaded("pida")


@pytest.mark.ckan_config("ckan.plugins", "pida_hub")
@pytest.mark.usefixtures("with_plugins")
def test_hub_plugin_loads():
    assert p.plugin_loaded("pida_hub")


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dataset_goes_through_solr():
    org = factories.Organization()
    factories.Dataset(name="registro-de-cabilderos", title="Registro de cabilderos", owner_org=org["id"])
    factories.Dataset(name="presupuesto", title="Presupuesto general", owner_org=org["id"])

    result = helpers.call_action("package_search", q="cabilderos")

    assert result["count"] == 1
    assert result["results"][0]["name"] == "registro-de-cabilderos"
    # The answer came from Solr, not from the database: the search backend is a real Solr core.
    conn = search.make_connection()
    assert conn.search(q="name:presupuesto").hits == 1
    assert model.Session.query(model.Package).count() == 2


def test_redis_answers_through_ckan_connection():
    redis = ckan_redis.connect_to_redis()
    assert redis.ping() is True
    redis.set("pida:test:key", "valor", ex=10)
    assert redis.get("pida:test:key") == b"valor"
