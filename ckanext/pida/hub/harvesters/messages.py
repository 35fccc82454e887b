"""What can go wrong in a harvest, in words a portal administrator can act on.

Problems are stored as a code and its parameters (``pida_harvest_run.problems``) and rendered when shown, in the
reader's language (``tk._``). The English text also goes to ckanext-harvest's own error tables, so its job pages
tell the same story.
"""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk


def N_(text: str) -> str:
    """Marks a message for translation without translating it now (babel extracts ``N_``)."""
    return text


MESSAGES = {
    "http_status": N_(
        "The catalogue at {url} answered HTTP {status}. Check that the address is right and that the national "
        "portal is up; the next run will try again."),
    "timeout": N_(
        "The catalogue at {url} stopped sending data for {seconds} seconds (the connection was open). The portal may "
        "be overloaded: try again later, lower the page size, or raise \"timeout\" in the source configuration."),
    "total_timeout": N_(
        "The catalogue page at {url} took longer than the {seconds} seconds allowed for one page, so it was not "
        "read. The portal is sending it very slowly: lower the page size, or raise \"total_timeout\" in the source "
        "configuration."),
    "connect_timeout": N_(
        "Nothing answered at {url} within {seconds} seconds: the connection could not be opened. Check the address; "
        "the portal may be down or behind a firewall."),
    "refused": N_(
        "The server at {url} refused the connection: nothing is listening at that address and port. Check the "
        "address, and that the national portal is running."),
    "unknown_host": N_(
        "The host name {host} of {url} does not exist. Check the address of the catalogue."),
    "looks_like_html": N_(
        "The address {url} serves a web page (HTML), not a catalogue: perhaps the portal's home or an error page. "
        "Point the source at the portal's DCAT catalogue, for example its /catalog.ttl."),
    "looks_like_data_json": N_(
        "The address {url} serves a data.json catalogue (DCAT-US or the OAS regional profile), not DCAT RDF, which "
        "is what the source type \"pida\" reads. Point it at the portal's DCAT catalogue (for example /catalog.ttl) "
        "if it has one."),
    "looks_like_ckan_api": N_(
        "The address {url} is CKAN's action API, not a DCAT catalogue. If the portal runs ckanext-dcat, point the "
        "source at its /catalog.ttl."),
    "looks_like_rdf": N_(
        "The address {url} serves DCAT RDF (Turtle or RDF/XML), not a data.json. Choose the source type \"PIDA "
        "national catalogue (DCAT-AP)\" for it."),
    "not_data_json": N_(
        "The address {url} serves JSON, but not a data.json catalogue (an object with a \"dataset\" list). Check "
        "the address: portals publish it at /data.json."),
    "not_ckan_api": N_(
        "The address {url} does not answer as CKAN's action API (package_search). Give the portal's address, for "
        "example https://datos.example.gob, or its /api/3/action."),
    "duplicate_identifier": N_(
        "Two datasets of the catalogue have the same identifier \"{guid}\": \"{other}\" and \"{title}\". The "
        "second was skipped. Ask the portal to give every dataset its own identifier."),
    "empty_catalogue": N_(
        "The catalogue at {url} was read but holds no dataset. Check the address; if the portal really publishes "
        "nothing yet, ignore this message."),
    "connection": N_(
        "The catalogue at {url} could not be reached. Check the address and that the portal is online."),
    "redirect_loop": N_(
        "The address {url} redirects again and again without reaching a page. Check the address, or ask the "
        "portal to fix its redirects."),
    "tls": N_(
        "The secure connection (HTTPS) to {url} could not be established: the portal's certificate is not valid "
        "for that address, has expired or is not trusted. Ask the portal to renew its certificate."),
    "too_big": N_(
        "The catalogue page at {url} is larger than the limit of {limit_mb} MB, so it was not read. Ask the portal "
        "to serve smaller pages, or raise \"max_size_mb\" in the source configuration."),
    "dtd": N_(
        "The catalogue at {url} declares a DTD (<!DOCTYPE> or <!ENTITY>). It was refused, because entity "
        "declarations can exhaust the server. A DCAT catalogue never needs one: ask the portal to remove it."),
    "remote_context": N_(
        "The JSON-LD catalogue at {url} points to a remote @context, which the hub does not download. Ask the "
        "portal for Turtle or RDF/XML (for example {suggestion})."),
    "unsupported_format": N_(
        "The catalogue at {url} was served as \"{content_type}\", which is not an RDF format the hub reads. "
        "Point the source at the portal's /catalog.ttl or set \"rdf_format\" in the source configuration."),
    "malformed": N_(
        "The catalogue page at {url} is not valid {format}. Validate the portal's catalogue output; nothing was "
        "changed at the hub."),
    "malformed_at": N_(
        "The catalogue page at {url} is not valid {format}: the first error is on line {line}. Validate the "
        "portal's catalogue output; nothing was changed at the hub."),
    "next_page_elsewhere": N_(
        "The catalogue page at {url} links its next page to another site ({next_url}); paging stopped there."),
    "page_loop": N_(
        "The catalogue's paging goes round in a circle at {url}; paging stopped there."),
    "too_many_pages": N_(
        "The catalogue has more than {max_pages} pages; paging stopped. Raise \"max_pages\" in the source "
        "configuration if the catalogue really is that large."),
    "no_identifier": N_(
        "A dataset titled \"{title}\" has no URI or dct:identifier, so it cannot be followed across runs and was "
        "skipped. Give every dataset a stable URI."),
    "dataset_unreadable": N_(
        "A dataset in the catalogue page at {url} could not be read, so it was skipped. Validate the portal's "
        "catalogue output."),
    "no_deletions_partial": N_(
        "This run did not read the whole catalogue, so no dataset was deleted at the hub. Fix the problems above; "
        "deletions will be applied by the next complete full run."),
    "deletions_held": N_(
        "The catalogue lists {seen} datasets but the hub holds {active} from it: deleting {to_delete} would "
        "remove more than {max_share} percent of the source, so nothing was deleted. If the portal really removed them, "
        "raise \"max_delete_share\" in the source configuration for one run."),
    "deletions_feed": N_(
        "The deletions feed at {url} could not be read; datasets deleted at the portal since the last run will be "
        "removed by the next full run."),
    "unmapped_values": N_(
        "{count} values of \"{field}\" could not be mapped onto the PIDA schema (for example: {examples}). The "
        "datasets were imported without them, and each keeps what its catalogue said in its provenance. Ask the "
        "portal to use a standard value."),
    "refused_values": N_(
        "{count} values of \"{field}\" were refused by the PIDA schema's validation (for example: {examples}). The "
        "datasets were imported without them, and each keeps the value and the reason in its provenance. Ask the "
        "portal to correct them."),
    "listed_by_another_source": N_(
        "{count} datasets of this catalogue were already brought to the hub by the source \"{owner}\" (the same "
        "identifiers; for example: {examples}). The hub keeps one copy, under the source created first, so they "
        "were not imported from this one. If they belong to this country, ask the other portal to stop listing "
        "them, or remove the other source."),
    "also_listed_by": N_(
        "{count} datasets of this catalogue are also listed by the source \"{other}\". The hub keeps them under "
        "this source, which was created first."),
    # The datasets' own errors (ckanext-harvest's object errors): the text names the dataset; the health page
    # groups them by GROUPED below, which leaves the dataset out.
    "no_title": N_(
        "The dataset \"{guid}\" has no title, so it was not imported. Ask the portal to give it one; the next run "
        "will try again."),
    "dataset_refused": N_(
        "The dataset \"{title}\" ({guid}) was not imported: the hub cannot accept its {field} ({reason}). Correct "
        "it at the national portal; the next run will try again."),
    "import_error": N_(
        "The dataset \"{title}\" ({guid}) could not be saved because of an error at the hub itself, not at the "
        "portal. The hub's log has the details; the next run will try again."),
    "unreadable_object": N_(
        "A dataset of this run could not be read back from the hub's harvest queue; the next run will read it "
        "again."),
}

#: The datasets' errors, as the health page shows them: once per group, followed by the datasets they concern.
GROUPED = {
    "no_title": N_("No title, so not imported. Ask the portal to give every dataset a title."),
    "dataset_refused": N_("Not imported: the hub cannot accept their {field} ({reason}). Correct it at the "
                          "national portal."),
    "import_error": N_("Not saved because of an error at the hub itself, not at the portal. The hub's log has the "
                       "details; the next run will try again."),
    "unreadable_object": MESSAGES["unreadable_object"],
    "unknown": N_("Not imported. The harvester's own message is under \"Technical detail\"."),
}

#: Dataset fields that can refuse a dataset, named as a reader knows them (leniency.ESSENTIAL).
FIELDS = {
    "title": N_("title"),
    "name": N_("address at the hub"),
    "id": N_("identifier"),
    "owner_org": N_("publishing organisation"),
    "type": N_("dataset type"),
    "resources": N_("distributions"),
}
#: Parameters whose value is itself a message to translate.
TRANSLATED_PARAMS = ("reason",)


def problem(code: str, **params) -> dict:
    return {"code": code, "params": {k: str(v) for k, v in params.items()}}


def render(item: dict, translate: bool = True, templates: dict = MESSAGES) -> str:
    """The text of a problem, translated into the current language unless ``translate`` is false."""
    template = templates.get(item.get("code"), "{detail}")
    params = dict(item.get("params", {}))
    if translate:
        template = tk._(template)
        label = FIELDS.get(params.get("field"))
        if label:
            params["field"] = tk._(label)  # no literal inside _(): babel would extract it
        for key in TRANSLATED_PARAMS:
            if params.get(key):
                params[key] = tk._(params[key])
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def render_group(item: dict) -> str:
    """The sentence of a group of datasets' errors (no dataset named), in the reader's language."""
    return render(item, templates=GROUPED)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else "(?P<%s>.*?)" % part for i, part in enumerate(parts))
    return re.compile("^" + regex + "$", re.DOTALL)


#: The English texts of the datasets' errors, read back into a code and parameters.
_OBJECT_PATTERNS = [(code, _pattern(MESSAGES[code])) for code in GROUPED if code in MESSAGES]


def parse_object_error(message: str) -> dict:
    """The ``{"code", "params"}`` of a dataset error as stored in ckanext-harvest's table (English text, so its own
    job pages read it); ``{"code": "unknown", "params": {"detail": message}}`` for a message of another harvester
    or of an earlier version."""
    for code, pattern in _OBJECT_PATTERNS:
        match = pattern.match(message or "")
        if match:
            return {"code": code, "params": match.groupdict()}
    return {"code": "unknown", "params": {"detail": message or ""}}


class HarvestProblem(Exception):
    """A problem that stops reading a catalogue page."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.item = problem(code, **params)

    def __str__(self) -> str:
        return render(self.item, translate=False)
