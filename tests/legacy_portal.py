"""A national portal as it stands before ckanext-pida: plain CKAN datasets in the shapes the region's portals use.

Titles, descriptions and keywords are those of ``tests/data/detection/evaluation.jsonl`` (117 datasets of the
region's portals, in Spanish, Portuguese, French and English), each published twice (the series and one year of it,
as portals do); the metadata around them follows the portals' habits, deterministically (one seed): free-form extras
under Spanish, Portuguese and English names (``frequency: "Anual"``, ``"Frequência de atualização": "Mensal"``,
``accrualPeriodicity: "R/P3M"``, ``"Datos personales": "Sí"``, ``"Fecha de publicación": "15/03/2019"``...), values
no reader understands ("cuando se requiera", "marzo de 2019"), author and maintainer with or without an email,
licences open, closed and unspecified, a landing page that is not a web address, private datasets, drafts and
datasets without an organisation. Plus one real ``package_show`` recorded from Brazil's Ministry of Health portal
(``tests/data/real/br_opendatasus_package_show.json``: 83 resources, ``Contato`` and ``Frequência de atualização``
extras, a landing page that is a sentence).

``build()`` creates them through CKAN's action API with no plugin loaded, as the portal did before adopting.
"""
from __future__ import annotations

import json
import os
import random

from ckan.tests import helpers

HERE = os.path.dirname(__file__)

ORGANIZATIONS = [
    ("ministerio-de-hacienda", "Ministerio de Hacienda y Crédito Público"),
    ("contraloria-general", "Contraloría General de la República"),
    ("direccion-compras-publicas", "Dirección Nacional de Contrataciones Públicas"),
    ("ministerio-da-saude", "Ministério da Saúde"),
    ("registro-mercantil", "Registro Mercantil y de Sociedades"),
]

FREQUENCY_EXTRAS = [
    ("frequency", "Anual"), ("frequency", "Mensual"), ("frequency", "Trimestral"), ("frequency", "semanal"),
    ("Frequência de atualização", "Mensal"), ("Frequência de atualização", "Diária"),
    ("Frequência de atualização", "Anual"), ("accrualPeriodicity", "R/P3M"), ("accrualPeriodicity", "R/P1Y"),
    ("Frecuencia de actualización", "Semestral"), ("Periodicidad", "Irregular"),
    ("frequency", "cuando se requiera"),  # no reader understands it: kept as it is
    None, None,
]
DATE_EXTRAS = [
    ("issued", "15/03/2019"), ("issued", "2019-03-15"), ("issued", "2018-07-01T10:30:00"),
    ("Fecha de publicación", "01/02/2020"), ("Data de publicação", "28/11/2017"), ("issued", "marzo de 2019"),
    None, None,
]
MODIFIED_EXTRAS = [("modified", "30/06/2024"), ("Última actualización", "2025-01-31"),
                   ("Data de atualização", "10/10/2023"), None, None]
LANGUAGE_EXTRAS = [("language", "es"), ("language", "spa"), ("Idioma", "Español"), ("language", "pt-BR"),
                   ("Idioma", "Español; Inglés"), None]
PERSONAL_EXTRAS = [("Datos personales", "Sí"), ("Datos personales", "No"), ("Dados pessoais", "Não"),
                   ("Contiene datos personales", "no"), None, None, None]
OTHER_EXTRAS = [("Cobertura geográfica", "Nacional"), ("Fuente", "Sistema de Información Financiera"),
                ("Unidad responsable", "Oficina de Planeación"), ("Observaciones", "Cifras preliminares"),
                ("Nivel de desagregación", "Municipal"), ("Granularidade", "Município")]
LICENCES = ["cc-by", "cc-by", "odc-odbl", "cc-zero", "notspecified", "other-closed", "", "other-at"]
PEOPLE = [("Oficina de Datos Abiertos", "datosabiertos@hacienda.gov.example"), ("Juan Pérez", ""),
          ("Coordenação de Dados", "dados@saude.gov.example"), ("", ""), ("Mesa de Ayuda", "ayuda@compras.gov.example")]


def _evaluation() -> list[dict]:
    with open(os.path.join(HERE, "data", "detection", "evaluation.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _slug(text: str, used: set) -> str:
    import unicodedata
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    slug = "-".join("".join(c if c.isalnum() else " " for c in plain).split())[:80].strip("-") or "conjunto"
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = "{}-{}".format(slug, n), n + 1
    used.add(candidate)
    return candidate


def dataset_dicts(orgs: dict[str, str], copies: int = 2, seed: int = 2019) -> list[dict]:
    """The legacy datasets, as ``package_create`` takes them (``orgs``: organisation name -> id)."""
    rng = random.Random(seed)
    used: set = set()
    out = []
    for copy in range(copies):
        for i, entry in enumerate(_evaluation()):
            title = entry["title"] if copy == 0 else "{} {}".format(entry["title"], 2019 + (i % 6))
            extras = []
            for pool in (FREQUENCY_EXTRAS, DATE_EXTRAS, MODIFIED_EXTRAS, LANGUAGE_EXTRAS, PERSONAL_EXTRAS,
                         OTHER_EXTRAS):
                pick = rng.choice(pool)
                if pick and pick[0] not in [e["key"] for e in extras]:
                    extras.append({"key": pick[0], "value": pick[1]})
            author, author_email = rng.choice(PEOPLE)
            maintainer, maintainer_email = rng.choice(PEOPLE)
            n = len(out)
            dataset = {
                "name": _slug(title, used),
                "title": title,
                "notes": entry.get("notes") or "",
                "tags": [{"name": t[:100]} for t in entry.get("tags") or [] if len(t) >= 2][:8],
                "license_id": rng.choice(LICENCES),
                "author": author, "author_email": author_email,
                "maintainer": maintainer, "maintainer_email": maintainer_email,
                "extras": extras,
                "private": n % 11 == 3,
                "owner_org": None if n % 17 == 5 else orgs[rng.choice(ORGANIZATIONS)[0]],
                "url": rng.choice(["", "https://www.gov.example/datos/{}".format(n), "Portal de transparencia"]),
                "resources": [
                    {"url": "https://datos.gov.example/files/{}-{}.{}".format(n, r, fmt.lower()), "format": fmt,
                     "name": "{} ({})".format(title[:60], fmt)}
                    for r, fmt in enumerate(rng.sample(["CSV", "XLSX", "JSON", "PDF"], rng.randint(0, 3)))],
            }
            if n % 23 == 7:
                dataset["state"] = "draft"
            if dataset["owner_org"] is None:  # CKAN: a dataset without an organisation cannot be private
                del dataset["owner_org"]
                dataset["private"] = False
            out.append(dataset)
    return out


def recorded_package_show(orgs: dict[str, str]) -> dict:
    """Brazil's Ministry of Health's recorded dataset, as ``package_create`` takes it (ids dropped)."""
    with open(os.path.join(HERE, "data", "real", "br_opendatasus_package_show.json"), encoding="utf-8") as f:
        shown = json.load(f)
    dropped = {"id", "organization", "owner_org", "groups", "relationships_as_subject", "relationships_as_object",
               "creator_user_id", "num_resources", "num_tags", "isopen", "license_title", "license_url",
               "metadata_created", "metadata_modified"}
    dataset = {k: v for k, v in shown.items() if k not in dropped}
    dataset["owner_org"] = orgs["ministerio-da-saude"]
    dataset["resources"] = [{k: v for k, v in r.items() if k not in ("id", "package_id", "position")}
                            for r in shown["resources"]]
    return dataset


def build(context: dict) -> list[str]:
    """Creates the organisations and datasets with CKAN's action API (no plugin loaded); returns the ids."""
    orgs = {}
    for name, title in ORGANIZATIONS:
        orgs[name] = helpers.call_action("organization_create", dict(context), name=name, title=title)["id"]
    ids = []
    for dataset in dataset_dicts(orgs) + [recorded_package_show(orgs)]:
        ids.append(helpers.call_action("package_create", dict(context), **dataset)["id"])
    return ids
