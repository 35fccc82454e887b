"""Citizens' requests for priority datasets: asked from the coverage's empty cell or a dataset's page by an
anonymous visitor, stored, listed publicly without the requester's e-mail, told to the administrators over SMTP
(a real SMTP server on 127.0.0.1), answered and closed; spam kept out by a honeypot and a rate limit."""
import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.pida.model import DataRequest
from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.ckan_config("ckanext.pida.country", "CO"),
              pytest.mark.usefixtures("with_plugins", "clean_index", "pida_vocab", "no_rate_counts")]

EMAIL = "ciudadana.anonima@correo.example"
MESSAGE = "Necesito las declaraciones de bienes de los ministros 2020-2025 para una investigación periodística."


@pytest.fixture
def admin():
    user = factories.Sysadmin(email="datos@mintic.example.gov")
    user["headers"] = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    return user


def post_request(app, lang="es", **values):
    data = {"country": "CO", "concept": "interest-declarations", "message": MESSAGE, "email": EMAIL, **values}
    return app.post("/{}/pida/requests/new".format(lang) if lang else "/pida/requests/new", data=data,
                    follow_redirects=False)


def test_a_visitor_asks_from_the_empty_cell_and_the_administrators_are_told(app, full_dataset, admin, smtp_server):
    helpers.call_action("package_create", **full_dataset)  # Colombia publishes its lobbying register only
    coverage = app.get("/es/pida/coverage").get_data(as_text=True)
    link = "/es/pida/requests/new?country=CO&amp;concept=interest-declarations"
    assert link in coverage
    assert "/pida/requests/new?country=CO&amp;concept=lobbying-register" not in coverage  # published: no ask
    form = app.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert '<option value="interest-declarations" selected>' in form and '<option value="CO" selected>' in form

    response = post_request(app)

    assert response.status_code == 302
    [stored] = model.Session.query(DataRequest).all()
    assert response.headers["Location"].endswith("/pida/requests/" + stored.id)
    assert (stored.country, stored.concept, stored.status, stored.email, stored.language) == (
        "CO", "interest-declarations", "open", EMAIL, "es")
    page = app.get("/es/pida/requests/" + stored.id).get_data(as_text=True)
    assert MESSAGE in page and "Abierta" in page and "Colombia" in page
    # The coverage shows the demand beside the supply: on the cell, and in the country's next steps.
    coverage = app.get("/es/pida/coverage?country=CO").get_data(as_text=True)
    assert "1 solicitud en espera" in coverage
    assert "La ciudadanía espera respuesta a 1 solicitud" in coverage
    assert "/es/pida/requests?country=CO&amp;status=open" in coverage
    [mail] = smtp_server.messages
    assert mail["to"] == ["datos@mintic.example.gov"]
    assert "/pida/requests/" + stored.id in mail["body"] and MESSAGE in mail["body"]
    assert EMAIL not in mail["body"]


def test_the_requester_email_never_leaves_the_table(app, admin, smtp_server):
    post_request(app)
    post_request(app, country="MX", concept="budgets", email="")
    [stored] = model.Session.query(DataRequest).filter_by(country="CO").all()

    pages = [app.get(url).get_data(as_text=True) for url in (
        "/pida/requests", "/pida/requests?country=CO", "/pida/requests/" + stored.id,
        "/api/3/action/pida_data_request_list", "/api/3/action/pida_data_request_show?id=" + stored.id)]
    pages.append(app.get("/pida/requests/" + stored.id, headers=admin["headers"])
                 .get_data(as_text=True))  # not even to the administrators: the site writes to the requester
    assert "Answer the request" in pages[-1]  # the administrator's view of it

    for body in pages:
        assert EMAIL not in body and "ciudadana.anonima" not in body
    listed = helpers.call_action("pida_data_request_list")
    assert listed["count"] == 2 and all("email" not in r for r in listed["results"])
    assert helpers.call_action("pida_data_request_list", country="MX")["results"][0]["concept"] == "budgets"


def stored_request(request_id=None) -> DataRequest:
    """The request as the database holds it now (a web request ends the session an object was read in)."""
    model.Session.remove()
    query = model.Session.query(DataRequest)
    return query.get(request_id) if request_id else query.one()


def test_a_request_is_answered_then_closed_and_closing_erases_the_email(app, admin, smtp_server, full_dataset):
    post_request(app)
    request_id = stored_request().id
    smtp_server.messages.clear()
    anonymous = app.post("/pida/requests/" + request_id, data={"answer": "Ya está", "status": "closed"})
    assert anonymous.status_code == 403

    helpers.call_action("pida_data_request_answer", {"user": admin["name"]}, id=request_id,
                        answer="Las publicaremos en marzo en datos.gov.co.")
    stored = stored_request(request_id)
    assert (stored.status, stored.email) == ("answered", EMAIL)  # kept: the work goes on
    pkg = helpers.call_action("package_create", **full_dataset)
    refused = app.post("/pida/requests/" + request_id, data={"answer": "Publicadas", "status": "closed",
                                                             "dataset": "no-existe"}, headers=admin["headers"])
    assert refused.status_code == 400 and stored_request(request_id).status == "answered"  # nothing changed
    app.post("/pida/requests/" + request_id, data={"answer": "Publicadas: https://datos.gov.co/bienes",
                                                   "status": "closed",
                                                   "dataset": "http://test.ckan.net/dataset/" + pkg["name"]},
             headers=admin["headers"])

    stored = stored_request(request_id)
    assert stored.status == "closed" and stored.email is None and stored.answered_by == admin["id"]
    assert stored.answer_package_id == pkg["id"]  # closed with the dataset that answers it
    assert [m["to"] for m in smtp_server.messages] == [[EMAIL], [EMAIL]]
    assert "https://datos.gov.co/bienes" in smtp_server.messages[1]["body"]
    assert "/dataset/" + pkg["name"] in smtp_server.messages[1]["body"]
    page = app.get("/pida/requests?status=closed").get_data(as_text=True)
    assert "https://datos.gov.co/bienes" in page and "Closed" in page
    read = app.get("/pida/requests/" + request_id).get_data(as_text=True)
    assert 'href="/dataset/{}"'.format(pkg["name"]) in read
    assert helpers.call_action("pida_data_request_show", id=request_id)["answer_dataset"]["name"] == pkg["name"]


def test_bad_input_is_refused_in_the_visitors_language_and_nothing_typed_is_lost(app, admin, smtp_server):
    response = post_request(app, message="corto", email="no-es-un-correo", concept="no-such-dataset")

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "No es un conjunto de datos prioritario del PIDA" in body
    assert "Esto no es una dirección de correo" in body and "al menos 10 caracteres" in body
    assert 'value="no-es-un-correo"' in body and ">corto</textarea>" in body
    assert model.Session.query(DataRequest).count() == 0 and smtp_server.messages == []


def test_the_honeypot_and_the_rate_limit_keep_robots_out(app, admin, smtp_server, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.pida.requests.per_hour", 2)
    robot = post_request(app, website="http://casino.example")
    assert robot.status_code == 302 and model.Session.query(DataRequest).count() == 0  # told nothing

    assert post_request(app).status_code == 302
    assert post_request(app, concept="budgets").status_code == 302
    third = post_request(app, concept="company-register")

    assert third.status_code == 429
    assert "intente de nuevo en 60 minutos" in third.get_data(as_text=True) or \
        "intente de nuevo en 59 minutos" in third.get_data(as_text=True)
    assert model.Session.query(DataRequest).count() == 2 and len(smtp_server.messages) == 2


@pytest.mark.ckan_config("ckanext.pida.requests.per_hour", 1)
@pytest.mark.ckan_config("ckanext.pida.requests.client_ip_header", "X-Forwarded-For")
def test_behind_a_proxy_the_limit_counts_each_visitor_by_the_address_the_proxy_saw(app, admin, smtp_server):
    def from_(chain, concept):
        return app.post("/es/pida/requests/new", headers={"X-Forwarded-For": chain}, follow_redirects=False, data={
            "country": "CO", "concept": concept, "message": MESSAGE})

    assert from_("203.0.113.7", "budgets").status_code == 302
    assert from_("198.51.100.4", "budgets").status_code == 302  # another visitor behind the same proxy
    assert from_("1.2.3.4, 203.0.113.7", "spending").status_code == 429  # a forged first address changes nothing


def test_the_api_takes_requests_from_users_not_from_anonymous_callers(app, admin):
    data = {"country": "CO", "concept": "budgets", "message": MESSAGE}
    anonymous = app.post("/api/3/action/pida_data_request_create", json=data)
    assert anonymous.status_code == 403
    user = factories.User()
    created = helpers.call_action("pida_data_request_create", {"user": user["name"], "ignore_auth": False}, **data)
    assert created["status"] == "open" and "email" not in created
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("pida_data_request_answer", {"user": user["name"], "ignore_auth": False},
                            id=created["id"], answer="No")


def test_from_a_dataset_page_the_request_names_the_dataset_unless_it_is_private(app, full_dataset, admin,
                                                                              smtp_server):
    public = helpers.call_action("package_create", **full_dataset)
    secret = helpers.call_action("package_create", **dict(full_dataset, name="borrador", private=True))
    page = app.get("/es/dataset/" + public["name"]).get_data(as_text=True)
    assert "/es/pida/requests/new?country=CO&amp;concept=lobbying-register&amp;package_id=" + public["id"] in page

    post_request(app, concept="lobbying-register", package_id=public["id"])
    post_request(app, concept="lobbying-register", package_id=secret["id"])

    ids = {r.package_id for r in model.Session.query(DataRequest)}
    assert ids == {public["id"], None}  # a private dataset is neither named nor confirmed to exist
    listed = app.get("/api/3/action/pida_data_request_list?concept=lobbying-register").get_data(as_text=True)
    assert "borrador" not in listed and json.loads(listed)["result"]["count"] == 2

