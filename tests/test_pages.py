"""The publisher's form and the dataset page, rendered by the real CKAN app."""
import html
import re

import pytest

from ckan.tests import factories, helpers

from ckanext.pida import vocabulary
from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]


@pytest.mark.parametrize("locale, words", [
    ("es", ["Qué", "Quién", "Cuándo y dónde", "Conjunto(s) de datos prioritario(s) PIDA"]),
    ("fr", ["Quoi", "Qui", "Quand et où", "Jeu(x) de données prioritaire(s) du PIDA"]),
])
def test_form_in_sections_with_translated_labels(app, org, locale, words):
    user = factories.SysadminWithToken()
    page = app.get("/{}/dataset/new".format(locale), headers={"Authorization": user["token"]})
    for word in words:
        assert word in page.body
    # The priority concepts are offered by their labels, with the stable ids as values.
    assert 'value="lobbying-register"' in page.body


def test_dataset_page_shows_the_pida_block(app, full_dataset):
    helpers.call_action("package_create", **dict(full_dataset, modified="2019-01-01"))

    page = app.get("/es/dataset/registro-de-cabilderos")

    assert "Registro de cabilderos" in page.body
    assert "pida-principle pida-met" in page.body
    assert "pida-principle pida-partly" in page.body  # out of date: timely and comprehensive, partly
    reason = vocabulary.checks()["updated_within_interval"]["fail"]["es"]
    assert html.escape(reason, quote=False) in page.body
    assert full_dataset["pida_anonymisation"] in page.body


@pytest.mark.ckan_config("ckanext.pida.country", "CO")
def test_portal_home_says_what_the_site_is_and_how_far_the_country_is(app, full_dataset):
    helpers.call_action("package_create", **full_dataset)

    page = app.get("/es/").body

    assert "Bienvenido a CKAN" not in page and "placeholder-420x220" not in page
    assert "Colombia: cobertura de los 30 conjuntos de datos prioritarios del PIDA" in page
    assert "1 de 30 actualizados, 0 desactualizados, 29 sin publicar" in page
    assert 'href="/es/pida/coverage?country=CO"' in page
    assert ">Cobertura del PIDA</a>" in page  # the main navigation links to the coverage


def test_region_home_speaks_in_whole_numbers(app, full_dataset):
    """Issue #20: the hub's home said "0.2 de 30" (an average of datasets, with a decimal point in Spanish)."""
    helpers.call_action("package_create", **full_dataset)
    helpers.call_action("package_create", **dict(full_dataset, name="compras-mx", pida_country="MX",
                                                 pida_priority=["contracts-register"], modified="2020-01-01"))

    page = app.get("/es/").body

    assert "La región: cobertura de los 30 conjuntos de datos prioritarios del PIDA" in page
    glance = page[page.index("pida-glance-title"):]
    assert "<strong>2 %</strong>" in glance  # (1/30 + 0/30) / 2 = 1.7 %
    assert "en promedio en 2 países" in glance and "1 país publica al menos uno actualizado" in glance
    assert not re.search(r"\d\.\d de 30", glance)


def test_dataset_page_lists_only_the_fields_that_say_something(app, full_dataset):
    sparse = {k: v for k, v in full_dataset.items() if k not in ("documentation", "temporal_coverage", "publisher")}
    helpers.call_action("package_create", **dict(sparse, contact=[{"name": "Oficina de Transparencia"}]))

    page = app.get("/es/dataset/registro-de-cabilderos").body

    info = page[page.index("additional-info"):]
    assert "Cobertura temporal" not in info and "Documentación" not in info and "Publicador" not in info
    assert "Oficina de Transparencia" in info
    assert 'href="mailto:"' not in page and "There is no description" not in page


@pytest.mark.parametrize("locale, next_button, draft_word, choose", [
    ("es", "Siguiente: Quién", "borrador", "Elija una opción…"),
    ("pt_BR", "Próximo: Quem", "rascunho", "Escolha uma opção…"),
    ("fr", "Suivant : Qui", "brouillon", "Choisissez…"),
    ("en", "Next: Who", "draft", "Choose one…"),
])
def test_form_buttons_and_steps_speak_the_publishers_language(app, org, locale, next_button, draft_word, choose):
    user = factories.SysadminWithToken()
    headers = {"Authorization": user["token"]}
    page = app.get("/{}/dataset/new".format(locale), headers=headers).body
    assert next_button in html.unescape(page)
    assert draft_word in page and 'class="pida-steps"' in page and "Next" not in page.replace(next_button, "")

    helpers.call_action("package_create", name="borrador", title="Borrador", owner_org=org["id"], state="draft")
    page3 = html.unescape(app.get("/{}/dataset/new/borrador/3".format(locale), headers=headers).body)
    assert choose in page3  # the frequency starts unanswered


def _section(body: str, start: str, end: str) -> str:
    return body[body.index(start):body.index(end, body.index(start))]


def test_an_out_of_date_priority_dataset_says_so_under_its_title_and_in_search_results(app, full_dataset):
    """Monthly, last updated in January 2019: out of date since the interval times the tolerance had passed."""
    helpers.call_action("package_create", **dict(full_dataset, modified="2019-01-01"))
    helpers.call_action("package_create", **dict(full_dataset, name="cabilderos-al-dia", title="Cabilderos al día"))
    helpers.call_action("package_create", **dict(full_dataset, name="otro", title="Otro", pida_priority=[],
                                                 modified="2019-01-01"))

    page = app.get("/es/dataset/registro-de-cabilderos").get_data(as_text=True)
    heading = _section(page, "<h1", 'class="notes')
    assert "Desactualizado desde el 6 de febrero de 2019" in heading  # 31 days x 1.2 after 1 January
    assert "última actualización el 1 de enero de 2019" in heading and "mensual" in heading
    for fresh in ("cabilderos-al-dia", "otro"):  # up to date; or not a priority dataset: nothing said
        assert "Desactualizado" not in app.get("/es/dataset/" + fresh).get_data(as_text=True)

    results = app.get("/es/dataset/").get_data(as_text=True)
    items = {name: _section(results, 'href="/es/dataset/' + name + '"', "</h2>")
             for name in ("registro-de-cabilderos", "cabilderos-al-dia", "otro")}
    assert "Prioritario PIDA" in items["registro-de-cabilderos"] and "Desactualizado" in items["registro-de-cabilderos"]
    assert "Prioritario PIDA" in items["cabilderos-al-dia"] and "Desactualizado" not in items["cabilderos-al-dia"]
    assert "Prioritario PIDA" not in items["otro"]


def test_addresses_are_links_and_instructions_are_for_publishers_only(app, full_dataset):
    data = dict(full_dataset, pida_legal_basis="Ley 2309 de 2023, ver https://www.funcionpublica.gov.co/ley-2309.",
                extras=[{"key": "Fuente", "value": "Ver https://datos.gov.co/fuente y <b>más</b>"}])
    data.pop("documentation")
    pkg = helpers.call_action("package_create", **dict(data, documentation=["https://transparencia.example.gov/guia"]))
    editor = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=pkg["owner_org"], username=editor["name"], role="editor")

    body = app.get("/es/dataset/" + pkg["name"]).get_data(as_text=True)

    for url in ("https://transparencia.example.gov/contacto", "https://transparencia.example.gov/guia",
                "https://datos.gov.co/fuente", "https://www.funcionpublica.gov.co/ley-2309"):
        assert '<a href="{0}" rel="nofollow">{0}</a>'.format(url) in body  # the sentence's full stop left out
    assert "&lt;b&gt;más&lt;/b&gt;" in body  # the rest of a free text stays text
    assert "Lo que más puntos daría" not in body and "pida-quality-fixes" not in body  # a visitor: no instructions
    as_editor = app.get("/es/dataset/" + pkg["name"], headers={"Authorization": editor["token"]})
    assert "pida-quality-fixes" in as_editor.get_data(as_text=True)
