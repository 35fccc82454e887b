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
