"""Actions of the citizens' requests: create (the form, or a logged-in API caller), list, show (public, without
the requester's e-mail) and answer (sysadmins); who may, how often, and who is told."""
from __future__ import annotations

import datetime
import hashlib
import logging

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer
from ckan.lib.redis import connect_to_redis

from ckanext.pida import vocabulary
from ckanext.pida.model import DataRequest
from ckanext.pida.validators import EMAIL_PATTERN

log = logging.getLogger(__name__)

STATUSES = ("open", "answered", "closed")
MESSAGE_MIN, MESSAGE_MAX = 10, 2000
ANSWER_MAX = 4000
PAGE_SIZE = 50


# --- auth -----------------------------------------------------------------------------------------------------

@tk.auth_allow_anonymous_access
def request_create_auth(context, data_dict=None):
    """The form (anonymous visitors, behind its honeypot and rate limit) or a logged-in API caller."""
    if context.get("pida_request_form") or context.get("user"):
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to send a request through the API, or use the request form.")}


@tk.auth_allow_anonymous_access
def public(context, data_dict=None):
    return {"success": True}  # what a request says is public; the e-mail never leaves the table


def answer_auth(context, data_dict=None):
    return {"success": False, "msg": tk._("Only the portal's administrators can answer requests.")}


# --- actions --------------------------------------------------------------------------------------------------

def pida_data_request_create(context, data_dict):
    """Asks a country for a priority dataset.

    :param country: ISO 3166-1 alpha-2 code of an OAS member state
    :param concept: the priority dataset's id (``pida_priority`` vocabulary)
    :param message: what the requester needs and what for (10 to 2,000 characters)
    :param email: optional; only used to send the answer, never shown or returned
    :param package_id: optional; the dataset page the request was sent from
    :returns: the request, as ``pida_data_request_show`` gives it
    """
    tk.check_access("pida_data_request_create", context, data_dict)
    values, errors = _validate(data_dict)
    if errors:
        raise tk.ValidationError(errors)
    _count_against_limit(context.get("pida_requester") or "user:" + (context.get("user") or ""))
    request = DataRequest(language=_lang(), **values)
    model.Session.add(request)
    model.Session.commit()
    notify(request, _recipients())
    return public_dict(request)


@tk.side_effect_free
def pida_data_request_list(context, data_dict):
    """The requests, newest first.

    :param country: optional ISO code
    :param concept: optional priority dataset id
    :param status: optional: open, answered or closed
    :param limit: optional, at most 50 (default)
    :param offset: optional
    :returns: ``{"count", "results"}``
    """
    tk.check_access("pida_data_request_list", context, data_dict)
    query = model.Session.query(DataRequest)
    for key in ("country", "concept", "status"):
        if data_dict.get(key):
            query = query.filter(getattr(DataRequest, key) == data_dict[key])
    try:
        limit = min(int(data_dict.get("limit") or PAGE_SIZE), PAGE_SIZE)
        offset = max(int(data_dict.get("offset") or 0), 0)
    except (TypeError, ValueError):
        raise tk.ValidationError({"limit": [tk._("Must be a whole number")]})
    rows = query.order_by(DataRequest.created.desc(), DataRequest.id).limit(limit).offset(offset).all()
    return {"count": query.count(), "results": [public_dict(r) for r in rows]}


@tk.side_effect_free
def pida_data_request_show(context, data_dict):
    """One request (without the requester's e-mail).

    :param id: the request's id
    """
    tk.check_access("pida_data_request_show", context, data_dict)
    return public_dict(_get(data_dict))


def pida_data_request_answer(context, data_dict):
    """Answers a request, and tells the requester by e-mail if they left one; closing it erases that e-mail.

    :param id: the request's id
    :param answer: the answer (up to 4,000 characters)
    :param status: ``answered`` (default: the answer is given, the request stays followed) or ``closed``
    :param dataset: optional: the public dataset that answers it (its name, id or address on this site)
    """
    tk.check_access("pida_data_request_answer", context, data_dict)
    request = _get(data_dict)
    answer = (data_dict.get("answer") or "").strip()
    status = data_dict.get("status") or "answered"
    errors = {}
    if not answer:
        errors["answer"] = [tk._("Missing value")]
    elif len(answer) > ANSWER_MAX:
        errors["answer"] = [tk._("At most {n} characters").format(n=ANSWER_MAX)]
    if status not in ("answered", "closed"):
        errors["status"] = [tk._("Choose answered or closed")]
    dataset = _public_dataset(data_dict.get("dataset"))
    if data_dict.get("dataset") and dataset is None:
        errors["dataset"] = [tk._("No public dataset of this site has that name or address")]
    if errors:
        raise tk.ValidationError(errors)
    request.answer, request.status = answer, status
    request.answer_package_id = dataset.id if dataset else None
    request.answered = datetime.datetime.utcnow()
    user = model.User.get(context.get("user") or "")
    request.answered_by = user.id if user else None
    email = request.email
    if status == "closed":
        request.email = None  # nothing more to send: the address is not kept
    model.Session.commit()
    if email:
        _tell_requester(request, email)
    return public_dict(request)


# --- helpers --------------------------------------------------------------------------------------------------

def status_labels() -> dict:
    return {"open": tk._("Open"), "answered": tk._("Answered"), "closed": tk._("Closed")}


def _public_dataset(ref) -> "model.Package | None":
    """The active public dataset a name, an id or its page's address names."""
    ref = (ref or "").strip().rstrip("/")
    if not ref:
        return None
    pkg = model.Package.get(ref.rsplit("/dataset/", 1)[-1].split("?")[0] if "/dataset/" in ref else ref)
    return pkg if pkg is not None and pkg.state == "active" and not pkg.private else None


def public_dict(request: DataRequest) -> dict:
    concept = vocabulary.concept(request.concept) or {}
    answering = _public_dataset(request.answer_package_id)
    return {
        "id": request.id, "country": request.country,
        "country_name": vocabulary.text((vocabulary.country(request.country) or {}).get("name")),
        "concept": request.concept, "concept_label": vocabulary.text(concept.get("label")) or request.concept,
        "package_id": request.package_id, "message": request.message, "status": request.status,
        "status_label": status_labels().get(request.status, request.status),
        "answer": request.answer, "created": _iso(request.created), "answered": _iso(request.answered),
        "answer_dataset": {"id": answering.id, "name": answering.name, "title": answering.title}
        if answering else None,
    }


def waiting_counts() -> dict:
    """``{(country, concept): n}`` of the requests not answered yet (one query), for the coverage: what citizens
    ask for, beside what the countries publish."""
    query = (model.Session.query(DataRequest.country, DataRequest.concept, sa.func.count(DataRequest.id))
             .filter(DataRequest.status == "open").group_by(DataRequest.country, DataRequest.concept))
    return {(country, concept): n for country, concept, n in query}


def requester_key(remote_addr: str | None) -> str:
    """A visitor's key for the rate limit: their address hashed with the site's secret (never stored)."""
    secret = tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or ""
    return "ip:" + hashlib.sha256((secret + "|" + (remote_addr or "")).encode()).hexdigest()[:32]


def _validate(data_dict: dict) -> tuple[dict, dict]:
    errors: dict = {}
    country = (data_dict.get("country") or "").strip().upper()
    concept = (data_dict.get("concept") or "").strip()
    message = (data_dict.get("message") or "").strip()
    email = (data_dict.get("email") or "").strip() or None
    if not country:
        errors["country"] = [tk._("Choose a country")]
    elif not vocabulary.country(country):
        errors["country"] = [tk._("Not a member state of the OAS")]
    if not concept:
        errors["concept"] = [tk._("Choose a priority dataset")]
    elif not vocabulary.concept(concept):
        errors["concept"] = [tk._("Not a PIDA priority dataset")]
    if len(message) < MESSAGE_MIN:
        errors["message"] = [tk._("Say in a sentence or two what you need (at least {n} characters)")
                             .format(n=MESSAGE_MIN)]
    elif len(message) > MESSAGE_MAX:
        errors["message"] = [tk._("At most {n} characters").format(n=MESSAGE_MAX)]
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        errors["email"] = [tk._("This is not an e-mail address; leave it empty if you prefer")]
    asked_from = _public_dataset(data_dict.get("package_id"))  # a private or unknown one is not named
    return {"country": country, "concept": concept, "message": message, "email": email,
            "package_id": asked_from.id if asked_from else None}, errors


def _count_against_limit(key: str) -> None:
    limit = tk.config.get("ckanext.pida.requests.per_hour")
    if limit <= 0:
        raise tk.ValidationError({"rate_limit": [tk._("This portal does not take requests at the moment.")]})
    redis = connect_to_redis()
    name = "{}:pida:requests:{}".format(tk.config.get("ckan.site_id"), key)
    sent = redis.incr(name)
    if sent == 1:
        redis.expire(name, 3600)
    if sent > limit:
        minutes = max(1, (redis.ttl(name) + 59) // 60)
        raise tk.ValidationError({"rate_limit": [tk.ungettext(
            "You have sent {n} requests in the last hour, the most this portal takes: try again in {m} minute.",
            "You have sent {n} requests in the last hour, the most this portal takes: try again in {m} minutes.",
            minutes).format(n=limit, m=minutes)]})


def _get(data_dict: dict) -> DataRequest:
    request = DataRequest.get(tk.get_or_bust(data_dict, "id"))
    if request is None:
        raise tk.ObjectNotFound(tk._("Request not found"))
    return request


def _recipients() -> list[tuple[str, str]]:
    wanted = tk.config.get("ckanext.pida.requests.notify")
    if wanted:
        return [(email, email) for email in wanted]
    admins = (model.Session.query(model.User).filter(model.User.sysadmin.is_(True), model.User.state == "active",
                                                     model.User.email.isnot(None), model.User.email != ""))
    return [(u.fullname or u.name, u.email) for u in admins]


def notify(request: DataRequest, recipients: list[tuple[str, str]]) -> None:
    """Tells ``recipients`` (``(name, e-mail)``) of a new request, with the link to answer it."""
    link = tk.url_for("pida_requests.read", id=request.id, _external=True)
    item = public_dict(request)
    subject = tk._("New request for a priority dataset: {concept} ({country})").format(
        concept=item["concept_label"], country=item["country_name"])
    body = tk._("A visitor of {site} asks for the priority dataset \"{concept}\" of {country}:\n\n{message}\n\n"
                "Answer it, or close it, at {link}\n").format(
        site=tk.config.get("ckan.site_title"), concept=item["concept_label"], country=item["country_name"],
        message=request.message, link=link)
    for name, email in recipients:
        _send(name, email, subject, body)


def _tell_requester(request: DataRequest, email: str) -> None:
    item = public_dict(request)
    link = tk.url_for("pida_requests.read", id=request.id, _external=True)
    subject = tk._("Your request for \"{concept}\" was answered").format(concept=item["concept_label"])
    body = tk._("{site} answered your request for the priority dataset \"{concept}\" of {country}:\n\n{answer}\n\n"
                "The request and its answer: {link}\n").format(
        site=tk.config.get("ckan.site_title"), concept=item["concept_label"], country=item["country_name"],
        answer=request.answer, link=link)
    if item["answer_dataset"]:
        body += tk._("The dataset: {link}\n").format(
            link=tk.url_for("dataset.read", id=item["answer_dataset"]["name"], _external=True))
    _send("", email, subject, body)


def _send(name: str, email: str, subject: str, body: str) -> None:
    """Sends one e-mail; a mail server that refuses or is down is logged, never shown to the visitor."""
    try:
        mailer.mail_recipient(name, email, subject, body)
    except Exception as e:  # MailerException, socket errors: the request itself is stored
        log.warning("Could not send a PIDA request e-mail: %s", e)


def _lang() -> str | None:
    try:
        return tk.h.lang()
    except RuntimeError:  # outside a request (a script calling the action)
        return None


def _iso(value):
    return value.isoformat() if value else None


def get_actions() -> dict:
    return {
        "pida_data_request_create": pida_data_request_create,
        "pida_data_request_list": pida_data_request_list,
        "pida_data_request_show": pida_data_request_show,
        "pida_data_request_answer": pida_data_request_answer,
    }


def get_auth_functions() -> dict:
    return {
        "pida_data_request_create": request_create_auth,
        "pida_data_request_list": public,
        "pida_data_request_show": public,
        "pida_data_request_answer": answer_auth,
    }
