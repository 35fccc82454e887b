"""The catalogue endpoints: a stable Hydra walk, modified_since, the priority filter, the page size clamp, the
withdrawn-datasets feed, and no private, draft or deleted dataset on any endpoint in any format."""
import datetime
import time
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib.namespace import RDF

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.dcat.processors import HYDRA
from ckanext.dcat.profiles import DCAT, DCT

from tests.conftest import PORTAL_PLUGINS

FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "xml": "xml", "n3": "n3"}


def parse(body, fmt="ttl"):
    return rdflib.Graph().parse(data=body, format=FORMATS[fmt])


def titles(g):
    return sorted(str(g.value(d, DCT.title)) for d in g.subjects(RDF.type, DCAT.Dataset))


def next_link(g):
    for page in g.subjects(RDF.type, HYDRA.PagedCollection):
        for o in g.objects(page, HYDRA.next):
            return str(o)
    return None


def walk(app, url, fmt="ttl", limit=50):
    """Follow hydra:next from url; returns the titles of every page, in order, and the graphs."""
    pages = []
    while url and len(pages) < limit:
        parts = urlsplit(url)
        g = parse(app.get(parts.path + ("?" + parts.query if parts.query else ""), status=200).body, fmt)
        pages.append(g)
        url = next_link(g)
    return pages


def dataset(org, name, **extra):
    data = {"name": name, "title": name.replace("-", " ").title(), "notes": "Datos de " + name,
            "owner_org": org["id"], "pida_country": "CO", "pida_personal_data": "no", "license_id": "cc-by",
            "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL"}
    data.update(extra)
    return helpers.call_action("package_create", **data)


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")
@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestPaging:

    def test_walk_reaches_every_public_dataset_once(self, app, org):
        names = ["ds-%02d" % i for i in range(8)]
        for name in names:
            dataset(org, name)

        pages = walk(app, "/catalog.ttl")

        assert len(pages) == 3
        seen = [t for g in pages for t in titles(g)]
        assert sorted(seen) == sorted(n.replace("-", " ").title() for n in names)
        assert len(seen) == len(set(seen))
        first = list(pages[0].subjects(RDF.type, HYDRA.PagedCollection))[0]
        assert int(pages[0].value(first, HYDRA.totalItems)) == 8
        assert int(pages[0].value(first, HYDRA.itemsPerPage)) == 3

    def test_edits_during_the_walk_skip_nothing(self, app, org):
        """ckanext-dcat orders by metadata_modified desc: a dataset edited between two pages moves and another
        one is skipped. The id order and the cursor do not move."""
        created = [dataset(org, "ds-%02d" % i) for i in range(7)]
        g = parse(app.get("/catalog.ttl", status=200).body)
        seen = titles(g)
        # Edit every dataset of page 1, and two not seen yet, while the client is between pages.
        for pkg in created:
            helpers.call_action("package_patch", id=pkg["id"], notes="Editado")
        url = next_link(g)
        for g in walk(app, url):
            seen += titles(g)
        assert sorted(seen) == sorted(p["title"] for p in created)
        assert len(seen) == len(set(seen))

    def test_deletion_during_the_walk_skips_nothing(self, app, org):
        created = [dataset(org, "ds-%02d" % i) for i in range(7)]
        g = parse(app.get("/catalog.ttl", status=200).body)
        seen = titles(g)
        # Delete one dataset of page 1: offsets would shift the next page by one.
        first_seen = [p for p in created if p["title"] in seen][0]
        helpers.call_action("package_delete", id=first_seen["id"])
        for g in walk(app, next_link(g)):
            seen += titles(g)
        assert sorted(seen) == sorted(p["title"] for p in created)

    def test_page_param_still_works_in_the_stable_order(self, app, org):
        for i in range(5):
            dataset(org, "ds-%02d" % i)
        first = titles(parse(app.get("/catalog.ttl?page=1").body))
        second = titles(parse(app.get("/catalog.ttl?page=2").body))
        assert len(first) == 3 and len(second) == 2
        assert not set(first) & set(second)

    @pytest.mark.ckan_config("ckan.search.rows_max", "2")
    def test_page_size_above_rows_max_is_clamped_and_drops_nothing(self, app, org):
        for i in range(5):
            dataset(org, "ds-%02d" % i)
        pages = walk(app, "/catalog.ttl?rows=4")
        assert [len(titles(g)) for g in pages] == [2, 2, 1]
        assert len({t for g in pages for t in titles(g)}) == 5
        page = list(pages[0].subjects(RDF.type, HYDRA.PagedCollection))[0]
        assert int(pages[0].value(page, HYDRA.itemsPerPage)) == 2
        assert "rows_max" in str(pages[0].value(page, rdflib.RDFS.comment))

    def test_modified_since(self, app, org):
        old = dataset(org, "antiguo")
        time.sleep(1.1)
        cut = datetime.datetime.utcnow().isoformat()
        time.sleep(0.1)
        dataset(org, "nuevo")
        helpers.call_action("package_patch", id=old["id"], notes="Nuevo texto")
        g = parse(app.get("/catalog.ttl", query_string={"modified_since": cut}).body)
        assert titles(g) == ["Antiguo", "Nuevo"]
        g = parse(app.get("/catalog.ttl", query_string={"modified_since": "2999-01-01"}).body)
        assert titles(g) == []
        # The next link keeps the filter.
        for i in range(4):
            dataset(org, "extra-%d" % i)
        pages = walk(app, "/catalog.ttl?modified_since=" + cut)
        assert len([t for g in pages for t in titles(g)]) == 6
        assert "modified_since=" in next_link(pages[0])

    def test_bad_parameters_are_refused(self, app, org):
        app.get("/catalog.ttl?modified_since=not-a-date", status=409)
        app.get("/catalog.ttl?priority=not-a-concept", status=409)
        app.get("/catalog.ttl?after=x%22%20OR%20*", status=409)
        app.get("/catalog.ttl?rows=0", status=409)


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_priority_filter(app, org):
    dataset(org, "cabilderos", pida_priority=["lobbying-register"])
    dataset(org, "presupuesto", pida_priority=["budgets", "spending"])
    dataset(org, "clima")

    assert titles(parse(app.get("/catalog.ttl?priority=any").body)) == ["Cabilderos", "Presupuesto"]
    assert titles(parse(app.get("/catalog.ttl?priority=spending").body)) == ["Presupuesto"]
    assert len(titles(parse(app.get("/catalog.ttl").body))) == 3
    # The next-page link of a filtered walk keeps the filter.
    assert titles(parse(app.get("/catalog.jsonld?priority=budgets").body, "jsonld")) == ["Presupuesto"]


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestNothingPrivateLeaks:

    SECRET = "Investigacion reservada"

    @pytest.fixture
    def portal(self, org):
        user = factories.Sysadmin()
        token = helpers.call_action("api_token_create", user=user["name"], name="t")["token"]
        public = dataset(org, "publico", title="Registro publico")
        private = dataset(org, "privado-zeta", title=self.SECRET, private=True)
        draft = dataset(org, "borrador-zeta", title=self.SECRET + " borrador", state="draft")
        deleted = dataset(org, "borrado-zeta", title=self.SECRET + " borrado")
        helpers.call_action("package_delete", id=deleted["id"])
        made_private = dataset(org, "luego-privado-zeta", title=self.SECRET + " luego")
        helpers.call_action("package_patch", id=made_private["id"], private=True)
        return {"sysadmin": {"Authorization": token}, "public": public,
                "hidden": [private, draft, deleted, made_private]}

    def assert_hidden(self, body, portal, where):
        assert "reservada" not in body.lower(), where
        for pkg in portal["hidden"]:
            assert pkg["id"] not in body and pkg["name"] not in body, where

    @pytest.mark.parametrize("fmt", sorted(FORMATS))
    def test_catalogue(self, app, portal, fmt):
        for headers in ({}, portal["sysadmin"]):
            for query in ("", "?q=Investigacion", "?fq=%2Bstate:(draft%20OR%20deleted)", "?fq=capacity:private",
                          "?fq=name:*zeta", "?priority=any", "?modified_since=2000-01-01", "?page=1&rows=1"):
                body = app.get("/catalog.%s%s" % (fmt, query), headers=headers, status=200).body
                self.assert_hidden(body, portal, query)
        assert "Registro publico" in app.get("/catalog.%s" % fmt).body

    @pytest.mark.parametrize("fmt", sorted(FORMATS))
    def test_per_dataset_endpoint(self, app, portal, fmt):
        for pkg in portal["hidden"]:
            for ref in (pkg["id"], pkg["name"]):
                for headers in ({}, portal["sysadmin"]):
                    response = app.get("/dataset/%s.%s" % (ref, fmt), headers=headers)
                    assert response.status_code == 404, (ref, response.status_code)
                    assert "reservada" not in response.body.lower()
        assert app.get("/dataset/%s.%s" % (portal["public"]["name"], fmt), status=200)

    def test_sysadmin_catalogue_is_the_public_one(self, app, portal):
        body = app.get("/catalog.ttl?fq=%2Bstate:(draft%20OR%20deleted%20OR%20active)",
                       headers=portal["sysadmin"]).body
        assert titles(parse(body)) == ["Registro publico"]

    def test_action_api(self, app, portal):
        for action in ("dcat_catalog_show", "dcat_catalog_search"):
            for headers in ({}, portal["sysadmin"]):
                body = app.get("/api/3/action/%s?format=ttl&q=Investigacion" % action, headers=headers,
                               status=200).body
                self.assert_hidden(body, portal, action)

    def test_withdrawn_feed_shows_no_name_or_title(self, app, portal):
        body = app.get("/api/3/action/pida_catalog_withdrawn?since=2000-01-01", status=200).body
        assert "reservada" not in body.lower() and "zeta" not in body


# dataset_purge cascades to ckanext-harvest's tables once its model is imported (the hub harvester imports it):
# the purge tests need those tables, and migrating them needs the plugin.
@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " harvest")
@pytest.mark.usefixtures("with_plugins", "clean_index", "harvest_tables")
class TestWithdrawn:

    def test_deletions_and_privatisations_are_visible_to_an_incremental_client(self, app, org):
        keep = dataset(org, "se-queda")
        gone = dataset(org, "se-borra")
        hidden = dataset(org, "se-oculta")
        never_public = dataset(org, "siempre-privado", private=True)
        time.sleep(1.1)
        since = datetime.datetime.utcnow().isoformat()
        time.sleep(0.1)
        helpers.call_action("package_delete", id=gone["id"])
        helpers.call_action("package_patch", id=hidden["id"], private=True)
        helpers.call_action("package_patch", id=keep["id"], notes="editado")

        result = app.get("/api/3/action/pida_catalog_withdrawn", query_string={"since": since},
                         status=200).json["result"]
        by_id = {r["id"]: r for r in result["results"]}
        assert set(by_id) == {gone["id"], hidden["id"]}
        assert by_id[gone["id"]]["status"] == "deleted"
        assert by_id[hidden["id"]]["status"] == "private"
        assert by_id[gone["id"]]["uri"] == "http://test.ckan.net/dataset/" + gone["id"]
        # Only what a harvester needs: no title, no name.
        assert "se-borra" not in str(result) and "Se Borra" not in str(result)
        assert never_public["id"] not in by_id

        # The same client's modified_since walk shows the edit, not the withdrawn ones.
        g = parse(app.get("/catalog.ttl", query_string={"modified_since": since}).body)
        assert titles(g) == ["Se Queda"]
        # The catalogue page points to the feed.
        assert "pida_catalog_withdrawn" in app.get("/catalog.ttl", query_string={"modified_since": since}).body

    def test_cursor_pages_through_the_feed(self, org):
        since = datetime.datetime.utcnow() - datetime.timedelta(seconds=1)
        ids = []
        for i in range(5):
            pkg = dataset(org, "borrar-%d" % i)
            helpers.call_action("package_delete", id=pkg["id"])
            ids.append(pkg["id"])
        seen, params = [], {"since": since.isoformat(), "limit": 2}
        for _ in range(10):
            result = helpers.call_action("pida_catalog_withdrawn", **params)
            seen += [r["id"] for r in result["results"]]
            if "next" not in result:
                break
            params = dict(result["next"], limit=2)
        assert sorted(seen) == sorted(ids)
        assert len(seen) == len(set(seen))

    def test_since_is_required(self, app):
        app.get("/api/3/action/pida_catalog_withdrawn", status=409)

    @pytest.fixture
    def harvest_tables(self, with_plugins, migrate_db_for):
        migrate_db_for("harvest")

    @staticmethod
    def feed():
        return {r["id"]: r for r in helpers.call_action("pida_catalog_withdrawn", since="2000-01-01")["results"]}

    def test_a_dataset_never_published_never_appears(self, org):
        """Its existence must not leave the portal: private or draft from the start, whatever happens next."""
        private = dataset(org, "privado-desde-siempre", private=True)
        draft = dataset(org, "borrador", state="draft")
        helpers.call_action("package_patch", id=private["id"], notes="editado")
        for pkg in (private, draft):
            helpers.call_action("package_delete", id=pkg["id"])
        assert self.feed() == {}
        for pkg in (private, draft):
            helpers.call_action("dataset_purge", id=pkg["id"])
        assert self.feed() == {}

    def test_private_then_deleted_then_purged(self, org):
        pkg = dataset(org, "se-retira")
        uri = "http://test.ckan.net/dataset/" + pkg["id"]
        assert self.feed() == {}
        times = []
        for status, action, params in (("private", "package_patch", {"private": True}),
                                       ("deleted", "package_delete", {}),
                                       ("purged", "dataset_purge", {})):
            helpers.call_action(action, id=pkg["id"], **params)
            assert self.feed() == {pkg["id"]: {"id": pkg["id"], "uri": uri, "status": status,
                                               "modified": self.feed()[pkg["id"]]["modified"]}}
            times.append(self.feed()[pkg["id"]]["modified"])
        assert times == sorted(times)
        # An edit that does not change the status keeps the time the client already has.
        private = dataset(org, "se-oculta", private=False)
        helpers.call_action("package_patch", id=private["id"], private=True)
        before = self.feed()[private["id"]]
        helpers.call_action("package_patch", id=private["id"], notes="editado en privado")
        assert self.feed()[private["id"]] == before

    def test_a_dataset_published_again_leaves_the_feed(self, org):
        pkg = dataset(org, "vuelve")
        helpers.call_action("package_patch", id=pkg["id"], private=True)
        assert self.feed()[pkg["id"]]["status"] == "private"
        helpers.call_action("package_patch", id=pkg["id"], private=False)
        assert self.feed() == {}
        helpers.call_action("package_delete", id=pkg["id"])
        assert self.feed()[pkg["id"]]["status"] == "deleted"
        helpers.call_action("package_patch", id=pkg["id"], state="active")
        assert self.feed() == {}

    def test_the_uri_given_is_the_one_published(self, app, org):
        uri = "https://datos.example.gov/id/dataset/cabilderos"
        pkg = dataset(org, "con-uri", extras=[{"key": "uri", "value": uri}])
        assert "<%s>" % uri in app.get("/dataset/%s.ttl" % pkg["id"], status=200).body
        helpers.call_action("package_patch", id=pkg["id"], private=True)
        assert self.feed()[pkg["id"]]["uri"] == uri

    def test_organisation_bulk_actions_are_recorded(self, org):
        public = [dataset(org, "publico-%d" % i) for i in range(2)]
        never = dataset(org, "nunca-publico", private=True)
        ids = [p["id"] for p in public] + [never["id"]]
        helpers.call_action("bulk_update_private", org_id=org["id"], datasets=ids)
        assert {i: r["status"] for i, r in self.feed().items()} == {p["id"]: "private" for p in public}
        helpers.call_action("bulk_update_public", org_id=org["id"], datasets=[public[0]["id"]])
        assert set(self.feed()) == {public[1]["id"]}
        helpers.call_action("bulk_update_delete", org_id=org["id"], datasets=ids)
        assert {i: r["status"] for i, r in self.feed().items()} == {
            public[0]["id"]: "deleted", public[1]["id"]: "deleted"}



@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_catalogue_gives_the_charter_evaluation_per_principle_and_the_dataset_endpoint_per_check(app, org):
    """The catalogue stays small (issue #11): one DQV measurement per principle; the dataset's own endpoint adds
    one per check. Both are DQV, with the same principle statuses."""
    from rdflib import Namespace
    from ckanext.pida import vocabulary
    dqv = Namespace("http://www.w3.org/ns/dqv#")
    pkg = dataset(org, "cabilderos", pida_priority=["lobbying-register"])
    principle_uris = {vocabulary.principle_uri(p["id"]) for p in vocabulary.principles()}

    def measurements(g):
        ref = next(g.subjects(RDF.type, DCAT.Dataset))
        return {str(g.value(m, dqv.isMeasurementOf)): str(g.value(m, dqv.value))
                for m in g.objects(ref, dqv.hasQualityMeasurement)}

    in_catalog = measurements(parse(app.get("/catalog.ttl").body))
    own = measurements(parse(app.get("/dataset/{}.ttl".format(pkg["name"])).body))
    score = "https://piveau.eu/ns/voc#score"  # the MQA score (issue #19), in both

    assert set(in_catalog) == principle_uris | {score}
    assert set(own) > principle_uris | {score} and len(own) > len(in_catalog)  # the checks too
    assert {u: own[u] for u in in_catalog} == in_catalog
    assert in_catalog[score] == str(tk.get_action("pida_quality_show")({}, {"id": pkg["id"]})["score"])


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestCachedBlocks:
    """Turtle and RDF/XML pages are assembled from each dataset's cached block (issue #11): the page is the same
    graph as the one serialised whole, cold and warm, and a change shows at once."""

    def _pages(self, app, fmt, monkeypatch, ttl):
        monkeypatch.setitem(tk.config, "ckanext.pida.catalog.cache_ttl", ttl)
        return [app.get("/catalog.%s" % fmt, status=200).body, app.get("/catalog.%s?page=2" % fmt, status=200).body]

    @pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
    def test_assembled_pages_are_the_graph_serialised_whole_cold_and_warm(self, app, org, fmt, monkeypatch):
        from rdflib.compare import isomorphic
        from ckanext.pida import catalog_cache
        for i in range(6):
            dataset(org, "bloque-%d-%s" % (i, fmt), pida_priority=["lobbying-register"],
                    resources=[{"url": "https://datos.example.gov/%d.csv" % i, "format": "CSV"}])
        whole = self._pages(app, fmt, monkeypatch, 0)
        catalog_cache._redis().delete(*catalog_cache._redis().keys(catalog_cache.KEY_PREFIX + "*") or ["none"])
        cold = self._pages(app, fmt, monkeypatch, 3600)
        assert catalog_cache._redis().keys(catalog_cache.KEY_PREFIX + "*")  # blocks were stored
        warm = self._pages(app, fmt, monkeypatch, 3600)
        for i in range(2):
            assert len(parse(whole[i], fmt)) > 100
            assert isomorphic(parse(whole[i], fmt), parse(cold[i], fmt))
            assert isomorphic(parse(whole[i], fmt), parse(warm[i], fmt))
            # what several datasets share (the priority concept, the legislation) is written once
            assert len(warm[i]) < 1.1 * len(whole[i]), (len(warm[i]), len(whole[i]))
        redis = catalog_cache._redis()
        key = redis.keys(catalog_cache.KEY_PREFIX + "*")[0]
        redis.expire(key, 10)
        self._pages(app, fmt, monkeypatch, 3600)
        assert redis.ttl(key) > 3000  # a part read lives another cache_ttl
        # A warm page reads the blocks: tamper with them, and the page says so.
        for key in redis.keys(catalog_cache.KEY_PREFIX + "*"):
            redis.set(key, redis.get(key).replace(b"Bloque", b"Desde-cache"))
        assert "Desde-cache" in self._pages(app, fmt, monkeypatch, 3600)[0]
        assert "Desde-cache" not in self._pages(app, fmt, monkeypatch, 0)[0]

    def test_ckan_pida_catalog_warm_caches_what_a_walk_then_reads(self, app, org, cli):
        from ckanext.pida import catalog_cache
        from ckanext.pida.cli import pida as pida_cli
        for i in range(6):
            dataset(org, "tibio-%d" % i, pida_priority=["lobbying-register"])
        redis = catalog_cache._redis()
        redis.delete(*redis.keys(catalog_cache.KEY_PREFIX + "*") or ["none"])

        with app.flask_app.test_request_context():  # what CKAN's own command line gives its commands
            result = cli.invoke(pida_cli, ["catalog-warm", "--formats", "ttl,rdf"])

        assert result.exit_code == 0 and "6 datasets, 2 pages" in result.output, result.output
        warmed = set(redis.keys(catalog_cache.KEY_PREFIX + "*"))
        assert len(warmed) == 12  # each dataset's part, in two formats
        for fmt in ("ttl", "rdf"):
            app.get("/catalog.%s" % fmt, status=200)
            app.get("/catalog.%s?page=2" % fmt, status=200)
        assert set(redis.keys(catalog_cache.KEY_PREFIX + "*")) == warmed  # every part came from the cache

    def test_a_changed_or_withdrawn_dataset_shows_at_once(self, app, org, monkeypatch):
        pkg = dataset(org, "cambiante", pida_priority=["lobbying-register"])
        other = dataset(org, "otro", pida_priority=["lobbying-register"])

        def literals():
            return {str(o) for o in parse(self._pages(app, "ttl", monkeypatch, 3600)[0]).objects(None, None)}
        assert {"Cambiante", "Otro"} <= literals()
        helpers.call_action("package_patch", id=pkg["id"], title="Título corregido")
        assert "Título corregido" in literals() and "Cambiante" not in literals()
        helpers.call_action("package_patch", id=other["id"], private=True)
        assert "Otro" not in literals()


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
@pytest.mark.usefixtures("with_plugins", "clean_index", "clean_redis")
class TestWarmedWhenIndexed:
    """A public dataset indexed is noted, and one background job serialises its catalogue parts: the next walk
    serialises nothing (catalog_warming.py)."""

    @staticmethod
    def _parts():
        from ckanext.pida import catalog_cache
        return set(catalog_cache._redis().keys(catalog_cache.KEY_PREFIX + "*"))

    @staticmethod
    def _walk_every_format(app):
        for fmt in ("ttl", "jsonld", "rdf", "xml"):
            app.get("/catalog.%s" % fmt, status=200)
            app.get("/catalog.%s?page=2" % fmt, status=200)

    def test_public_datasets_are_noted_and_one_job_is_queued(self, org):
        from ckan.lib import jobs
        from ckanext.pida import catalog_warming
        public = [dataset(org, "anotado-%d" % i) for i in range(3)]
        dataset(org, "reservado", private=True)
        helpers.call_action("package_patch", id=public[0]["id"], title="Otra vez")

        redis = jobs.get_queue().connection
        assert {m.decode() for m in redis.zrange(catalog_warming.PENDING, 0, -1)} == {p["id"] for p in public}
        queued = [j for j in jobs.get_queue().jobs if j.func_name.endswith("catalog_warming.warm_pending")]
        assert len(queued) == 1

    def test_the_job_serialises_what_the_next_walk_reads(self, app, org, monkeypatch):
        from ckanext.pida import catalog_warming
        created = [dataset(org, "tibia-%d" % i, pida_priority=["lobbying-register"]) for i in range(6)]
        assert not self._parts()

        assert catalog_warming.warm_pending(grace=0) == 6

        assert len(self._parts()) == 18  # each dataset's part in ttl, jsonld and rdf
        redis = catalog_warming.catalog_cache._redis()
        assert not redis.zcard(catalog_warming.PENDING) and not redis.exists(catalog_warming.RUNNING)
        warmed = self._parts()
        self._walk_every_format(app)
        assert self._parts() == warmed  # every part came from the cache

        helpers.call_action("package_patch", id=created[2]["id"], title="Tibia corregida")
        assert catalog_warming.warm_pending(grace=0) == 1
        warmed = self._parts()
        assert len(warmed) == 21
        # pages of 4 in id order: the patched dataset is on either page
        walk = "".join(app.get("/catalog.ttl%s" % page, status=200).body for page in ("", "?page=2"))
        assert "Tibia corregida" in walk
        self._walk_every_format(app)
        # naming the site's own profiles (test.ini: euro_dcat_ap_3 pida) reads the same parts
        app.get("/catalog.ttl?profiles=euro_dcat_ap_3,pida", status=200)
        assert self._parts() == warmed

    def test_nothing_is_noted_with_the_cache_or_the_formats_off(self, org, monkeypatch):
        from ckanext.pida import catalog_warming
        redis = catalog_warming.catalog_cache._redis()
        monkeypatch.setitem(tk.config, "ckanext.pida.catalog.warm_formats", [])
        dataset(org, "sin-formatos")
        monkeypatch.setitem(tk.config, "ckanext.pida.catalog.warm_formats", ["ttl"])
        monkeypatch.setitem(tk.config, "ckanext.pida.catalog.cache_ttl", 0)
        dataset(org, "sin-cache")
        assert not redis.zcard(catalog_warming.PENDING) and not redis.exists(catalog_warming.RUNNING)

    def test_ckan_jobs_worker_runs_it(self, app, org, tmp_path):
        """The job as a site runs it: ``ckan jobs worker`` on this test site's ini, in a process of its own."""
        import os
        import subprocess
        import sys
        for i in range(5):
            dataset(org, "obrero-%d" % i, pida_priority=["budgets"])
        ini = tmp_path / "worker.ini"
        base = open("test.ini", encoding="utf-8").read()
        # the same settings as this test's site (the cache key holds every ckanext.dcat option)
        ini.write_text("[app:main]\nuse = config:{}\nckan.plugins = {}\nckanext.dcat.datasets_per_page = 4\n\n{}"
                       .format(os.path.abspath("test.ini"), PORTAL_PLUGINS, base[base.index("[loggers]"):]))
        result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ckan"), "-c", str(ini), "jobs",
                                 "worker", "--burst"], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert len(self._parts()) == 15, result.stderr[-3000:]
        warmed = self._parts()
        self._walk_every_format(app)
        assert self._parts() == warmed
