"""A national portal finds its own priority datasets (issue #17): the detector runs at every write of the portal's
datasets, its editors confirm or reject on /pida/review or the dataset page, and the coverage shows the detected
cells. Real stack: the portal plugins, PostgreSQL and Solr."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.ckan_config("ckanext.pida.country", "CO"),
              pytest.mark.usefixtures("clean_index")]

CONTRACTS = "contracts-register"
SANCTIONS = "debarred-sanctioned-contractors"


@pytest.fixture
def editor(org):
    user = factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=user["name"], role="editor")
    return user


def _create(org, **fields):
    """A dataset as a portal's script writes it: no PIDA field at all."""
    data = {"name": "contratos-secop", "title": "Contratos electrónicos del SECOP II",
            "notes": "Procesos de contratación pública y contratos firmados por las entidades estatales.",
            "tags": [{"name": "contratación"}], "owner_org": org["id"],
            "resources": [{"url": "https://datos.example.gov.co/secop.csv", "format": "CSV"}]}
    data.update(fields)
    return helpers.call_action("package_create", **data)


def _pending(pkg) -> list[str]:
    return [p["id"] for p in (pkg.get("pida_detection") or {}).get("pending") or []]


def test_every_write_proposes_the_priority_datasets_and_the_coverage_shows_them(org):
    pkg = _create(org)
    assert CONTRACTS in _pending(pkg)
    evidence = pkg["pida_detection"]["pending"][0]["evidence"]
    assert any(e["field"] == "title" for e in evidence)

    found = helpers.call_action("package_search", fq="vocab_pida_detected:" + CONTRACTS)
    assert [d["name"] for d in found["results"]] == ["contratos-secop"]
    [row] = helpers.call_action("pida_coverage_show", country="CO")["countries"]
    assert row["cells"][CONTRACTS]["status"] == "detected"

    # a title that no longer says it: the proposal goes away at the next write (here a resource's)
    helpers.call_action("package_patch", id=pkg["id"], title="Actas del comité de archivo",
                        notes="Actas de reuniones.", tags=[])
    helpers.call_action("resource_create", package_id=pkg["id"], url="https://datos.example.gov.co/actas.pdf")
    assert _pending(helpers.call_action("package_show", id=pkg["id"])) == []


def test_what_a_client_sends_as_detection_is_not_taken(org):
    forged = {"pending": [], "confirmed": [{"id": SANCTIONS, "by": "nadie", "at": "2020-01-01T00:00:00Z"}]}
    pkg = _create(org, pida_detection=forged)
    assert "confirmed" not in pkg["pida_detection"] and CONTRACTS in _pending(pkg)
    pkg = helpers.call_action("package_patch", id=pkg["id"], pida_detection=forged)
    assert "confirmed" not in pkg["pida_detection"] and CONTRACTS in _pending(pkg)


def test_an_editor_confirms_and_only_the_concept_is_added(org, editor):
    pkg = _create(org)
    before = helpers.call_action("package_show", id=pkg["id"])

    after = helpers.call_action("pida_detection_decide", {"user": editor["name"], "ignore_auth": False},
                                id=pkg["id"], concept=CONTRACTS, decision="confirmed")

    assert after["pida_priority"] == [CONTRACTS]
    assert [c["by"] for c in after["pida_detection"]["confirmed"]] == [editor["name"]]
    assert CONTRACTS not in _pending(after)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    # nothing else asked or changed (CKAN counts the vocabulary tag of pida_priority in num_tags)
    assert changed <= {"pida_priority", "pida_detection", "metadata_modified", "num_tags"}, changed
    [row] = helpers.call_action("pida_coverage_show", country="CO")["countries"]
    assert row["cells"][CONTRACTS]["status"] in ("published", "out_of_date")

    # the confirmation survives an unrelated write (the form does not send pida_detection)
    again = helpers.call_action("package_patch", id=pkg["id"], notes="Contratos del SECOP II, actualizados.")
    assert again["pida_priority"] == [CONTRACTS] and again["pida_detection"]["confirmed"][0]["id"] == CONTRACTS


def test_a_rejection_holds_until_the_words_change(org, editor):
    pkg = _create(org)
    helpers.call_action("pida_detection_decide", {"user": editor["name"], "ignore_auth": False},
                        id=pkg["id"], concept=CONTRACTS, decision="rejected")
    pkg = helpers.call_action("package_patch", id=pkg["id"], license_id="cc-by")  # words unchanged
    assert CONTRACTS not in _pending(pkg) and not pkg.get("pida_priority")
    assert helpers.call_action("package_search", fq="vocab_pida_detected:" + CONTRACTS)["count"] == 0

    pkg = helpers.call_action("package_patch", id=pkg["id"], title="Contratos públicos firmados en 2025")
    assert CONTRACTS in _pending(pkg)  # the dataset says something new: proposed again


def test_only_the_organisations_editors_decide_and_see_the_queue(org, editor, app):
    pkg = _create(org)
    other = factories.Organization()
    outsider = factories.User()
    helpers.call_action("organization_member_create", id=other["id"], username=outsider["name"], role="editor")

    queue = helpers.call_action("pida_detection_queue", {"user": editor["name"]})
    assert [(i["dataset"]["name"], i["proposal"]["id"]) for i in queue["items"]][0] == ("contratos-secop", CONTRACTS)
    assert helpers.call_action("pida_detection_queue", {"user": outsider["name"]})["items"] == []
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("pida_detection_decide", {"user": outsider["name"], "ignore_auth": False},
                            id=pkg["id"], concept=CONTRACTS, decision="confirmed")
    with pytest.raises(tk.ValidationError):
        helpers.call_action("pida_detection_decide", {"user": editor["name"], "ignore_auth": False},
                            id=pkg["id"], concept="no-such-concept", decision="confirmed")

    # the pages, in Spanish: the queue, and the dataset page's block with its buttons
    app.get("/es/pida/review", status=403)
    token = factories.APIToken(user=editor["name"])["token"]
    page = app.get("/es/pida/review", headers={"Authorization": token}).body
    assert "Contratos electrónicos del SECOP II" in page and "Detecciones por revisar" in page
    dataset_page = app.get("/es/dataset/contratos-secop", headers={"Authorization": token}).body
    assert 'id="pida-detection"' in dataset_page and "Conjuntos prioritarios detectados" in dataset_page
    assert "|{}|confirmed".format(CONTRACTS) in dataset_page
    anonymous_page = app.get("/es/dataset/contratos-secop").body
    assert 'id="pida-detection"' in anonymous_page and "|confirmed" not in anonymous_page

    app.post("/es/pida/review", data={"single": "{}|{}|confirmed".format(pkg["id"], CONTRACTS)},
             headers={"Authorization": token}, follow_redirects=False)
    assert helpers.call_action("package_show", id=pkg["id"])["pida_priority"] == [CONTRACTS]


def test_a_decision_can_be_undone_from_the_history(org, editor, app):
    pkg = _create(org)
    context = {"user": editor["name"], "ignore_auth": False}
    helpers.call_action("pida_detection_decide", context, id=pkg["id"], concept=CONTRACTS, decision="confirmed")
    [entry] = helpers.call_action("pida_detection_history", context)
    assert (entry["concept"], entry["decision"], entry["by"], entry["can_undo"]) == (
        CONTRACTS, "confirmed", editor["name"], True)

    undone = helpers.call_action("pida_detection_undo", context, log_id=entry["id"])

    assert not undone.get("pida_priority") and CONTRACTS in _pending(undone)  # back in the queue
    [row] = helpers.call_action("pida_coverage_show", country="CO")["countries"]
    assert row["cells"][CONTRACTS]["status"] == "detected"
    [entry] = helpers.call_action("pida_detection_history", context)
    assert entry["undone_at"] and entry["undone_by"] == editor["name"] and not entry["can_undo"]
    with pytest.raises(tk.ValidationError):
        helpers.call_action("pida_detection_undo", context, log_id=entry["id"])  # once

    # A rejection undone: proposed again although the words did not change; through the page, in Spanish.
    helpers.call_action("pida_detection_decide", context, id=pkg["id"], concept=CONTRACTS, decision="rejected")
    assert CONTRACTS not in _pending(helpers.call_action("package_show", id=pkg["id"]))
    token = factories.APIToken(user=editor["name"])["token"]
    page = app.get("/es/pida/review", headers={"Authorization": token}).get_data(as_text=True)
    assert "Últimas decisiones" in page and "Rechazada" in page and "Deshacer" in page
    latest = helpers.call_action("pida_detection_history", context)[0]
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):  # only who may edit the dataset
        helpers.call_action("pida_detection_undo", {"user": outsider["name"], "ignore_auth": False},
                            log_id=latest["id"])
    response = app.post("/es/pida/review/undo", data={"log_id": latest["id"]}, headers={"Authorization": token},
                        follow_redirects=False)
    assert response.status_code == 302
    assert CONTRACTS in _pending(helpers.call_action("package_show", id=pkg["id"]))


def test_the_queue_shows_the_confidence_publisher_and_description_beside_each_detection(org, editor, app):
    _create(org)
    token = factories.APIToken(user=editor["name"])["token"]
    [item] = [i for i in helpers.call_action("pida_detection_queue", {"user": editor["name"]})["items"]
              if i["proposal"]["id"] == CONTRACTS]
    assert item["context"]["publisher"] == org["title"]
    assert item["context"]["description"].startswith("Procesos de contratación pública")

    page = app.get("/es/pida/review", headers={"Authorization": token}).get_data(as_text=True)
    assert "Confianza" in page and "{} %".format(round(item["confidence"]["value"] * 100)) in page
    assert "en el conjunto de evaluación" in page and org["title"] in page
    assert "Procesos de contratación pública" in page
    assert '/pida/priority-datasets/{}"'.format(CONTRACTS) in page  # the definition, a click away
