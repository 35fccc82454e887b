"""The translations of ckanext-pida: every message of the template is translated into es, pt_BR and fr with the
same placeholders, the committed .mo files match their .po, and the real app serves them per locale."""
import gettext
import io
import pathlib
import re

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

from ckan.tests import helpers

from tests.conftest import PORTAL_PLUGINS

I18N = pathlib.Path(__file__).resolve().parent.parent / "ckanext" / "pida" / "i18n"
DOMAIN = "ckanext-pida"
LOCALES = ["es", "pt_BR", "fr"]

# str.format fields ({value}, {0}, {n}) and %-style ones (%(tolerance)s, %s, %d). "{max_share}% of" is not a
# %-placeholder, so a bare "%" followed by a space or a letter other than s/d is left alone.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]+\)[sd]|%[sd]")


def po_path(locale):
    return I18N / locale / "LC_MESSAGES" / (DOMAIN + ".po")


def mo_path(locale):
    return I18N / locale / "LC_MESSAGES" / (DOMAIN + ".mo")


def load_po(locale):
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def template_ids():
    with (I18N / (DOMAIN + ".pot")).open("rb") as f:
        return [m.id for m in read_po(f) if m.id]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_template_is_not_empty():
    assert len(template_ids()) > 50


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_with_the_same_placeholders(locale):
    catalog = load_po(locale)
    problems = []
    for msgid in template_ids():
        message = catalog.get(msgid)
        if message is None:
            problems.append(("not in the .po (run scripts/i18n.sh extract)", msgid))
            continue
        if message.fuzzy:
            problems.append(("fuzzy", msgid))
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(("not translated", msgid))
            continue
        for index, string in enumerate(strings):
            source = ids[min(index, len(ids) - 1)]  # plural forms beyond the second compare with msgid_plural
            if placeholders(string) != placeholders(source):
                problems.append(("placeholders differ", msgid, string))
    assert not problems, problems


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_no_fuzzy_header_or_obsolete_entries(locale):
    catalog = load_po(locale)
    assert not catalog.fuzzy
    assert not catalog.obsolete


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_is_up_to_date(locale):
    """The committed .mo is what `scripts/i18n.sh compile` makes of the .po today."""
    expected = io.BytesIO()
    write_mo(expected, load_po(locale))
    expected.seek(0)
    with mo_path(locale).open("rb") as f:
        committed = read_mo(f)

    def messages(catalog):
        return {m.id if isinstance(m.id, str) else tuple(m.id): m.string if isinstance(m.string, str)
                else tuple(m.string) for m in catalog if m.id}

    assert messages(committed) == messages(read_mo(expected)), \
        "{} is stale: run scripts/i18n.sh compile".format(mo_path(locale))


def translation_of(locale, msgid):
    """The text the compiled catalogue gives for msgid (what CKAN should serve)."""
    with mo_path(locale).open("rb") as f:
        return gettext.GNUTranslations(f).gettext(msgid)


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.parametrize("locale", ["es", "fr", "pt_BR"])
def test_search_page_serves_the_facet_title_in_the_readers_language(app, full_dataset, locale):
    helpers.call_action("package_create", **full_dataset)
    msgid = "PIDA priority dataset"
    translated = translation_of(locale, msgid)
    assert translated and translated != msgid

    body = app.get("/{}/dataset/".format(locale)).body

    assert str(escape(translated)) in body
    # ...and the default language still gets the English text, so the title does come from the catalogue.
    assert str(escape(msgid)) in app.get("/dataset/").body
