"""The publisher's form and the dataset page, rendered by the real CKAN app."""
import html

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
