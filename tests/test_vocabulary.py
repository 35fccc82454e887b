"""The PIDA vocabularies are complete: every concept, principle, check, choice and schema label in es, en, pt, fr."""
import re

import pytest
import yaml

from ckanext.pida import principles, vocabulary

LANGS = {"es", "en", "pt", "fr"}
SCHEMA_LANGS = {"es", "en", "pt_BR", "fr"}


def four_languages(mapping, langs=LANGS):
    return isinstance(mapping, dict) and langs <= set(mapping) and all(
        isinstance(mapping[lang], str) and mapping[lang].strip() for lang in langs)


def test_thirty_concepts_with_stable_ids_and_notations():
    concepts = vocabulary.concepts()
    assert len(concepts) == 30
    assert [c["notation"] for c in concepts] == ["%02d" % n for n in range(1, 31)]
    assert len({c["id"] for c in concepts}) == 30
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c["id"]) for c in concepts)


@pytest.mark.parametrize("concept", vocabulary.concepts(), ids=lambda c: c["id"])
def test_concept_is_complete(concept):
    assert four_languages(concept["label"]) and four_languages(concept["definition"])
    assert set(concept["principles"]) == {p["id"] for p in vocabulary.principles()}
    assert all(four_languages(text) for text in concept["principles"].values())
    assert concept["category"] in {c["id"] for c in vocabulary.section("categories")}
    assert concept["type"] in {t["id"] for t in vocabulary.section("types")}
    assert set(concept["stages"]) <= set(vocabulary.allowed_values("stages"))
    assert set(concept["standards"]) <= set(vocabulary.allowed_values("standards"))
    assert set(concept["identifier_schemes"]) <= set(vocabulary.allowed_values("identifier_schemes"))
    assert concept["personal_data"] in {"none", "present", "high"}
    assert principles.parse_duration(concept["max_update_interval"]) is not None


def test_six_principles_whose_checks_are_implemented():
    ps = vocabulary.principles()
    assert [p["number"] for p in ps] == [1, 2, 3, 4, 5, 6]
    assert all(four_languages(p["label"]) and four_languages(p["definition"]) for p in ps)
    used = {c for p in ps for c in p["checks"]}
    assert used == set(principles.CHECKS) == set(vocabulary.checks())
    assert all(four_languages(c["label"]) and four_languages(c["fail"]) for c in vocabulary.checks().values())


@pytest.mark.parametrize("name", ["stages", "categories", "types", "standards", "identifier_schemes"])
def test_sections_are_translated(name):
    assert all(four_languages(item["label"]) for item in vocabulary.section(name))


def test_countries_frequencies_jurisdictions_are_translated():
    assert len(vocabulary.countries()) == 35
    assert all(four_languages(c["name"]) and len(c["alpha3"]) == 3 for c in vocabulary.countries())
    assert all(four_languages(f["label"]) for f in vocabulary.frequencies())
    assert all(f["duration"] is None or principles.parse_duration(f["duration"]) for f in vocabulary.frequencies())
    assert all(four_languages(j["label"]) for j in vocabulary.jurisdiction_levels())


def _labels(node, path=""):
    """Every label, help text, placeholder and page title of the schema, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "help_text", "form_placeholder", "title", "description", "repeating_label"):
                yield path + "." + key, value
            else:
                yield from _labels(value, path + "." + str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _labels(value, "{}[{}]".format(path, i))


def test_every_schema_label_in_four_languages():
    """The schema's and its presets' (the PIDA fields are presets a portal adds to its own schema)."""
    with open(vocabulary.HERE + "/../schemas/pida_dataset.yaml", encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    with open(vocabulary.HERE + "/../schemas/presets.yaml", encoding="utf-8") as f:
        presets = yaml.safe_load(f)["presets"]
    labels = list(_labels(schema["dataset_fields"] + schema["resource_fields"] + [p["values"] for p in presets]))
    assert len(labels) > 90
    untranslated = [where for where, value in labels
                    if not four_languages(value, SCHEMA_LANGS) and value not in ("URI", "URL", "https://", "registro-de-cabilderos")]
    assert untranslated == []


def test_text_falls_back_from_a_locale_to_its_language():
    mapping = {"es": "hola", "en": "hello", "pt": "olá", "fr": "bonjour"}
    assert vocabulary.text(mapping, "pt_BR") == "olá"
    assert vocabulary.text(mapping, "de") == "hello"
