"""The stack is real: plugins load, CKAN writes to PostgreSQL, indexes in Solr and talks to Redis."""
import pytest

import ckan.lib.redis as ckan_redis
import ckan.lib.search as search
import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers


@pytest.mark.ckan_config("ckan.plugins", "pida")
@pytest.mark.usefixtures("with_plugins")
def test_national_plugin_loads():
    assert p.plugin_loaded("pida")


@pytest.mark.ckan_config("ckan.plugins", "pida pida_hub")  # the hub runs beside pida (its schema, vocabulary)
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
    site = '+site_id:"{}"'.format(tk.config.get("ckan.site_id"))  # a core may hold other sites' documents
    assert conn.search(q="name:presupuesto", fq=site).hits == 1
    assert model.Session.query(model.Package).count() == 2


def test_redis_answers_through_ckan_connection():
    redis = ckan_redis.connect_to_redis()
    assert redis.ping() is True
    redis.set("pida:test:key", "valor", ex=10)
    assert redis.get("pida:test:key") == b"valor"


PORTAL_APP_SCRIPT = """
import sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
make_app(load_config(sys.argv[1]))
from ckan.cli.cli import ckan
ckan.get_command(None, "pida")  # the CLI of the portal too
loaded = sorted(m for m in sys.modules if m.startswith(("ckanext.harvest", "ckanext.pida.hub")))
print("LOADED", loaded)
"""


def test_a_national_portal_never_loads_hub_code(tmp_path):
    """The hub's code and ckanext-harvest stay out of a portal's process: ckanext-harvest's model, once imported,
    makes CKAN's own actions (dataset_purge) query harvest tables a portal does not have."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    from tests.remote_ckan import write_ini
    ini = write_ini(str(tmp_path / "portal.ini"), {"ckan.plugins": "pida scheming_datasets dcat",
                                                   "ckanext.pida.country": "CO"})
    script = tmp_path / "portal_app.py"
    script.write_text(PORTAL_APP_SCRIPT)

    out = subprocess.run([sys.executable, str(script), str(ini)], capture_output=True, text=True, timeout=300,
                         cwd=root)

    assert out.returncode == 0, out.stderr[-2000:]
    assert "LOADED []" in out.stdout, out.stdout
