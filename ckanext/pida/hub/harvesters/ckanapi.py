"""The CKAN action API reader (source type ``pida_ckan``): a national portal that runs plain CKAN 2.9+ (no DCAT, no
ckanext-pida), read through its ``package_search``.

Pages come in a stable order (by id) with a cursor (``id:{"<last id>" TO *]``), never with offsets, so a walk sees
every public dataset once even while the portal changes, and a page is never larger than the portal allows
(``page_size``, default 100, under CKAN's default ``ckan.search.rows_max`` of 1000). Incremental runs ask only for
datasets modified since the last run (``metadata_modified``); deletions come from a full run's diff, as for every
format. The source URL is the portal's address (``https://datos.example.gob``) or its ``/api/3/action`` base."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from ckanext.pida.hub.harvesters import fetch
from ckanext.pida.hub.harvesters.messages import HarvestProblem
from ckanext.pida.hub.harvesters.pipeline import Page, PidaPipeline, mapped

DEFAULT_ROWS = 100
_SAFE_ID = re.compile(r"^[\w-]+$")
#: CKAN fields given a place in the PIDA schema; everything else the portal said goes to provenance.
MAPPED = {"id", "name", "title", "notes", "tags", "license_id", "license_title", "license_url", "url", "resources",
          "organization", "owner_org", "author", "author_email", "maintainer", "maintainer_email", "extras",
          "metadata_created", "metadata_modified", "version", "state", "private", "type", "groups",
          "num_resources", "num_tags", "isopen", "creator_user_id", "relationships_as_object",
          "relationships_as_subject"}
#: Extras that DCAT-minded CKAN portals use for fields the schema has.
EXTRA_FIELDS = {"language": "language", "frequency": "frequency", "accrual_periodicity": "frequency",
                "issued": "issued", "modified": "modified", "temporal_start": None, "temporal_end": None}


class CkanApiHarvester(PidaPipeline):

    def info(self):
        return {
            "name": "pida_ckan",
            "title": "CKAN portal (action API)",
            "description": "A national portal that runs plain CKAN 2.9 or later, read through its package_search: "
                           "incremental, with deletions taken from a full run.",
        }

    def first_page_url(self, source_url, cfg, modified_since):
        fq = "+dataset_type:dataset"
        if modified_since:
            fq += " +metadata_modified:[{}Z TO *]".format(modified_since.replace(microsecond=0).isoformat())
        return fetch.with_params(api_base(source_url) + "/package_search", q="*:*", fq=fq, sort="id asc",
                                 rows=cfg["page_size"] or DEFAULT_ROWS)

    def read_page(self, url, cfg) -> Page:
        body, _media_type = fetch.get(url, timeout=cfg["timeout"], max_bytes=cfg["max_size_mb"] * 1024 * 1024,
                                      total_timeout=cfg["total_timeout"], accept="application/json")
        try:
            answer = json.loads(body)
        except ValueError:
            if fetch.sniff(body) == "html":
                raise HarvestProblem("not_ckan_api", url=url)
            raise HarvestProblem("malformed", url=url, format="JSON")
        if not isinstance(answer, dict) or not isinstance(answer.get("result"), dict) \
                or "results" not in answer["result"]:
            raise HarvestProblem("not_ckan_api", url=url)
        results = [r for r in answer["result"]["results"] if isinstance(r, dict)]
        rows = _rows(url)
        next_url = None
        if len(results) >= rows and results and _SAFE_ID.match(str(results[-1].get("id", ""))):
            next_url = _with_cursor(url, results[-1]["id"])
        portal = api_base(url).rsplit("/api/", 1)[0]
        return Page(mapped(results, to_ckan, portal), next_url=next_url)


def api_base(url: str) -> str:
    """``https://portal/api/3/action`` for a portal's address or any URL under its action API."""
    if "/api/3/action" in url:
        return url.split("/api/3/action", 1)[0] + "/api/3/action"
    parts = urlsplit(url)
    return "{}://{}{}/api/3/action".format(parts.scheme, parts.netloc, parts.path.rstrip("/"))


def _rows(url: str) -> int:
    try:
        return int(parse_qs(urlsplit(url).query).get("rows", [DEFAULT_ROWS])[0])
    except ValueError:
        return DEFAULT_ROWS


def _with_cursor(url: str, last_id: str) -> str:
    """The next page: the same query, with the ids after the last one seen (the cursor replaces the previous)."""
    fq = parse_qs(urlsplit(url).query).get("fq", [""])[0]
    fq = re.sub(r' \+id:\{"[^"]*" TO \*\]', "", fq)
    return fetch.with_params(url, fq='{} +id:{{"{}" TO *]'.format(fq, last_id))


def to_ckan(raw: dict, portal: str) -> dict:
    """A remote CKAN dataset as a dict for ``package_create`` under the PIDA schema (before the hub's own keys)."""
    out: dict = {"title": raw.get("title") or raw.get("name"), "notes": raw.get("notes") or ""}
    out["extras"] = [{"key": "uri", "value": "{}/dataset/{}".format(portal, raw["id"])}]
    tags = [t.get("name") for t in raw.get("tags") or [] if isinstance(t, dict) and t.get("name")]
    if tags:
        out["tags"] = [{"name": t} for t in tags]
    if raw.get("license_id"):
        out["license_id"] = raw["license_id"]
    out["url"] = raw.get("url") or "{}/dataset/{}".format(portal, raw.get("name") or raw["id"])
    if raw.get("version"):
        out["version"] = raw["version"]
    organization = raw.get("organization") or {}
    if organization.get("title") or organization.get("name"):
        out["publisher"] = [{"name": organization.get("title") or organization.get("name")}]
    contact = {"name": raw.get("maintainer") or raw.get("author"),
               "email": raw.get("maintainer_email") or raw.get("author_email")}
    if contact["name"] or contact["email"]:
        out["contact"] = [{k: v for k, v in contact.items() if v}]
    extras = {e.get("key"): e.get("value") for e in raw.get("extras") or [] if isinstance(e, dict)}
    for key, field in EXTRA_FIELDS.items():
        if field and extras.get(key):
            out[field] = extras[key]
    if extras.get("temporal_start") and extras.get("temporal_end"):
        out["temporal_coverage"] = [{"start": extras["temporal_start"], "end": extras["temporal_end"]}]
    out.setdefault("issued", (raw.get("metadata_created") or "")[:10] or None)
    out.setdefault("modified", (raw.get("metadata_modified") or "")[:10] or None)
    out["resources"] = [{k: v for k, v in {"url": r.get("url"), "name": r.get("name"),
                                            "description": r.get("description"), "format": r.get("format"),
                                            "uri": "{}/dataset/{}/resource/{}".format(portal, raw["id"], r.get("id")),
                                            }.items() if v}
                        for r in raw.get("resources") or [] if isinstance(r, dict) and r.get("url")]
    rest = {k: v for k, v in raw.items() if k not in MAPPED and v not in (None, "", [], {})}
    other_extras = {k: v for k, v in extras.items() if k not in EXTRA_FIELDS and v not in (None, "")}
    if other_extras:
        rest["extras"] = other_extras
    if raw.get("groups"):
        rest["groups"] = [g.get("title") or g.get("name") for g in raw["groups"] if isinstance(g, dict)]
    if rest:
        out["_source_fields"] = rest
    return {k: v for k, v in out.items() if v not in (None, "")}
