"""CKAN's Solr schema.xml with the region's languages: ``python -m ckanext.pida.solr_schema [CKAN_SCHEMA] > schema.xml``.

Reads CKAN's own ``schema.xml`` (by default the one of the CKAN installed beside this module; give the path of
another version's) and adds what ``ckanext/pida/solr/multilingual.xml`` declares: Spanish, Portuguese and French
analysers of the title, description, tags and resources (``text_es``, ``text_pt``, ``text_fr``). Nothing of CKAN's
is changed, so the result works with the CKAN version it was made from. Runs with the standard library alone (the
test services build their Solr cores with it before any package is installed).
"""
from __future__ import annotations

import os
import re
import sys

FRAGMENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "solr", "multilingual.xml")
#: The fields the plugin searches besides CKAN's own when the core has them.
FIELDS = ("text_es", "text_pt", "text_fr")


def build(ckan_schema: str) -> str:
    """CKAN's schema text with the PIDA field types, fields and copy fields added (idempotent)."""
    if 'name="pida_text_es"' in ckan_schema:
        return ckan_schema
    with open(FRAGMENT, encoding="utf-8") as f:
        fragment = f.read()
    body = re.search(r"<pida>(.*)</pida>", fragment, re.S).group(1)
    types = "\n".join(re.findall(r"\s*<fieldType .*?</fieldType>", body, re.S))
    fields = "\n".join(re.findall(r"\s*<field [^>]*/>", body))
    copies = "\n".join(re.findall(r"\s*<copyField [^>]*/>", body))
    marker = "\n    <!-- added by ckanext-pida (solr/multilingual.xml) -->"
    out = _insert_after_last(ckan_schema, "</fieldType>", marker + types)
    out = _insert_after_last(out, r"<field [^>]*/>", marker + fields)
    out = _insert_after_last(out, r"<copyField [^>]*/>", marker + copies)
    return out


def _insert_after_last(text: str, pattern: str, addition: str) -> str:
    matches = list(re.finditer(pattern, text))
    if not matches:
        raise ValueError("not a CKAN schema.xml: no " + pattern)
    end = matches[-1].end()
    return text[:end] + addition + text[end:]


def ckan_schema_path() -> str:
    import ckan
    return os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else ckan_schema_path()
    with open(path, encoding="utf-8") as f:
        sys.stdout.write(build(f.read()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
