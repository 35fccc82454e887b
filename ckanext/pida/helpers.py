"""Template helpers: the choices of the PIDA form fields, labels, and the principle evaluation of a dataset."""
from __future__ import annotations

from ckanext.pida import principles, vocabulary


def _choices(items: list, key: str = "id", label: str = "label") -> list[dict]:
    return [{"value": i[key], "label": vocabulary.scheming_label(i[label])} for i in items]


def pida_priority_choices(field=None):
    return [{"value": c["id"], "label": vocabulary.scheming_label(c["label"])} for c in vocabulary.concepts()]


def pida_stage_choices(field=None):
    return _choices(vocabulary.section("stages"))


def pida_standard_choices(field=None):
    return _choices(vocabulary.section("standards"))


def pida_identifier_scheme_choices(field=None):
    return _choices(vocabulary.section("identifier_schemes"))


def pida_country_choices(field=None):
    return _choices(vocabulary.countries(), key="code", label="name")


def pida_frequency_choices(field=None):
    return _choices(vocabulary.frequencies(), key="uri")


def pida_jurisdiction_choices(field=None):
    return _choices(vocabulary.jurisdiction_levels())


def pida_concept(concept_id: str) -> dict | None:
    return vocabulary.concept(concept_id)


def pida_text(mapping) -> str:
    """A four-language mapping in the user's language."""
    return vocabulary.text(mapping)


def pida_label(source: str, value: str) -> str:
    return vocabulary.label_of(source, value)


def pida_principles(pkg_dict: dict) -> list[dict]:
    """The Charter principle evaluation of a dataset, in the user's language, for the dataset page."""
    return principles.explain(principles.evaluate(pkg_dict))


def get_helpers() -> dict:
    return {f.__name__: f for f in (
        pida_priority_choices, pida_stage_choices, pida_standard_choices, pida_identifier_scheme_choices,
        pida_country_choices, pida_frequency_choices, pida_jurisdiction_choices, pida_concept, pida_text,
        pida_label, pida_principles,
    )}
