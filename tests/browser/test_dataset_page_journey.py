"""A citizen finds a priority dataset and reads its page, in Chromium at phone and desktop widths: the search
results say which datasets are PIDA priorities and which are out of date; the page says since when under the
title, its addresses are links, and on a phone the data and the PIDA block come before the sidebar."""
import pytest

from ckan.tests import helpers

from tests.browser.conftest import DESKTOP, PHONE, PORTAL_CO_MARKS, assert_accessible

pytestmark = PORTAL_CO_MARKS


@pytest.fixture
def datasets(full_dataset):
    helpers.call_action("package_create", **dict(full_dataset, modified="2019-01-01"))
    helpers.call_action("package_create", **dict(full_dataset, name="cabilderos-al-dia", title="Cabilderos al día"))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_citizen_reads_a_priority_dataset_that_is_out_of_date(browser, datasets, size):
    browser.resize(*size)
    browser.get("/es/dataset/")
    late = browser.find("a[href='/es/dataset/registro-de-cabilderos']").find_element("xpath", "./ancestor::h2")
    assert "Prioritario PIDA" in late.text and "Desactualizado" in late.text
    fresh = browser.find("a[href='/es/dataset/cabilderos-al-dia']").find_element("xpath", "./ancestor::h2")
    assert "Prioritario PIDA" in fresh.text and "Desactualizado" not in fresh.text
    assert browser.horizontal_overflow() == 0, browser.overflowing()
    assert_accessible(browser, "the search results")

    browser.click("a[href='/es/dataset/registro-de-cabilderos']")
    browser.wait_text(".pida-out-of-date", "Desactualizado desde el 6 de febrero de 2019")
    title, note = browser.find(".primary h1"), browser.find(".pida-out-of-date")  # (2.11: the sidebar has an h1)
    assert 0 < note.rect["y"] - (title.rect["y"] + title.rect["height"]) < 60  # right under the title
    guide = browser.find(".pida-block, .additional-info").find_element(
        "xpath", "//a[@href='https://transparencia.example.gov/cabilderos/guia']")
    assert guide.tag_name == "a"
    block, sidebar = browser.find(".pida-block"), browser.find("aside.secondary")
    if size == PHONE:
        assert block.rect["y"] < sidebar.rect["y"]  # the dataset first, the organisation's card after
    else:
        assert sidebar.rect["x"] < block.rect["x"]  # beside it, on the left
    assert browser.horizontal_overflow() == 0, browser.overflowing()
    assert_accessible(browser, "an out of date priority dataset")
