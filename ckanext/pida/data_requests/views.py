"""/pida/requests: the public list of citizens' requests for priority datasets; /pida/requests/new, the form (from
the coverage's empty cell or a dataset's page); /pida/requests/<id>, one request with its answer (and, for those who
may answer, the answer form)."""
from __future__ import annotations

import logging

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.pida import vocabulary
from ckanext.pida.data_requests import logic

log = logging.getLogger(__name__)

blueprint = Blueprint("pida_requests", __name__)

#: The honeypot: a field people never see (nor hear) and form-filling robots fill in.
HONEYPOT = "website"


def _context() -> dict:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _choices() -> dict:
    lang = tk.h.lang()
    concepts = sorted(({"id": c["id"], "label": vocabulary.text(c.get("label"), lang)}
                       for c in vocabulary.concepts()), key=lambda c: c["label"].lower())
    countries = sorted(({"code": c["code"], "name": vocabulary.text(c.get("name"), lang)}
                        for c in vocabulary.countries()), key=lambda c: c["name"].lower())
    return {"concepts": concepts, "countries": countries}


@blueprint.route("/pida/requests")
def index():
    """The requests, newest first, filtered by ``?country=``, ``?concept=`` and ``?status=``."""
    args = tk.request.args
    wanted = {"country": (args.get("country") or "").upper() or None, "concept": args.get("concept") or None,
              "status": args.get("status") if args.get("status") in logic.STATUSES else None}
    try:
        page = max(int(args.get("page") or 1), 1)
    except ValueError:
        page = 1
    result = tk.get_action("pida_data_request_list")(_context(), {
        **wanted, "limit": logic.PAGE_SIZE, "offset": (page - 1) * logic.PAGE_SIZE})
    pages = max(1, -(-result["count"] // logic.PAGE_SIZE))
    return tk.render("pida/requests/index.html", {
        "result": result, "wanted": wanted, "page": page, "pages": pages, "statuses": logic.status_labels(),
        **_choices()})


@blueprint.route("/pida/requests/new", methods=["GET", "POST"])
def new():
    form = tk.request.form if tk.request.method == "POST" else tk.request.args
    values = {key: (form.get(key) or "").strip() for key in ("country", "concept", "message", "email", "package_id")}
    if not values["country"] and tk.request.method == "GET":
        values["country"] = tk.h.pida_portal_country() or ""
    values["country"] = values["country"].upper()
    errors: dict = {}
    status = 200
    if tk.request.method == "POST":
        if form.get(HONEYPOT):
            log.info("A request with the honeypot filled in was dropped")
            tk.h.flash_success(tk._("Thank you: your request was sent."))
            return tk.redirect_to("pida_requests.index")
        context = {**_context(), "pida_request_form": True, "pida_requester": logic.requester_key(_client_ip())}
        try:
            created = tk.get_action("pida_data_request_create")(context, values)
        except tk.ValidationError as e:
            errors = e.error_dict
            status = 429 if "rate_limit" in errors else 400
        else:
            tk.h.flash_success(tk._("Thank you: your request was sent. The portal's answer will appear on this page "
                                    "and in your e-mail.") if values["email"] else
                               tk._("Thank you: your request was sent. The portal's answer will appear on this page."))
            return tk.redirect_to("pida_requests.read", id=created["id"])
    dataset = None
    if values["package_id"]:
        try:
            dataset = tk.get_action("package_show")(_context(), {"id": values["package_id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            values["package_id"] = ""
    concept = vocabulary.concept(values["concept"]) if values["concept"] else None
    return tk.render("pida/requests/new.html", {
        "values": values, "errors": errors, "dataset": dataset, "honeypot": HONEYPOT,
        "concept": concept, "limits": {"min": logic.MESSAGE_MIN, "max": logic.MESSAGE_MAX},
        "open": tk.config.get("ckanext.pida.requests.per_hour") > 0, **_choices()}), status


def _client_ip() -> str | None:
    """The visitor's address: the connection's, or behind a reverse proxy the last address of the header it sets
    (``ckanext.pida.requests.client_ip_header``)."""
    header = tk.config.get("ckanext.pida.requests.client_ip_header")
    forwarded = tk.request.headers.get(header) if header else None
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return tk.request.remote_addr


@blueprint.route("/pida/requests/<id>")
def read(id):
    try:
        item = tk.get_action("pida_data_request_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Request not found"))
    return tk.render("pida/requests/read.html", _read_vars(item, {}, {}))


@blueprint.route("/pida/requests/<id>", methods=["POST"])
def answer(id):
    form = tk.request.form
    values = {"answer": (form.get("answer") or "").strip(), "status": form.get("status") or "answered",
              "dataset": (form.get("dataset") or "").strip()}
    try:
        tk.get_action("pida_data_request_answer")(_context(), {"id": id, **values})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Request not found"))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    except tk.ValidationError as e:
        item = tk.get_action("pida_data_request_show")(_context(), {"id": id})
        return tk.render("pida/requests/read.html", _read_vars(item, values, e.error_dict)), 400
    tk.h.flash_success(tk._("The answer is published.") if values["status"] != "closed"
                       else tk._("The answer is published and the request closed."))
    return tk.redirect_to("pida_requests.read", id=id)


def _read_vars(item: dict, values: dict, errors: dict) -> dict:
    dataset = None
    if item.get("package_id"):
        try:
            dataset = tk.get_action("package_show")(_context(), {"id": item["package_id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            dataset = None  # since made private or deleted: not named
    can_answer = tk.h.check_access("pida_data_request_answer", {"id": item["id"]})
    return {"item": item, "dataset": dataset, "can_answer": can_answer, "values": values, "errors": errors,
            "concept": vocabulary.concept(item["concept"])}
