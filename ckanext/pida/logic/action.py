"""API actions of ckanext-pida."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.pida import catalog, detection, principles, vocabulary, withdrawals
from ckanext.pida.data_requests import logic as data_requests
from ckanext.pida.logic import coverage_actions, legacy_writes, review_actions
from ckanext.pida.quality import logic as quality_logic


@tk.side_effect_free
def pida_principles_show(context, data_dict):
    """The Charter principle evaluation of one dataset, with reasons in the user's language.

    :param id: the dataset's id or name
    :param lang: optional language of the reasons (es, en, pt_BR, fr); default: the request's
    """
    pkg = tk.get_action("package_show")(context, {"id": tk.get_or_bust(data_dict, "id")})
    return principles.explain(principles.evaluate(pkg), data_dict.get("lang"))


@tk.side_effect_free
def pida_priority_suggest(context, data_dict):
    """The PIDA priority datasets a dataset probably is, as the hub proposes them: best first, each with a score
    (0 to 1) and the evidence (the words that matched and where), at or above the hub's threshold
    (``ckanext.pida.detection.threshold``). Concepts the dataset already declares are left out.

    :param id: a dataset's id or name; or, instead, the dataset's fields:
    :param title: its title
    :param notes: its description
    :param tags: its keywords (a list of strings or of ``{"name": ...}``)
    :param lang: optional: es, pt, fr or en (else the terms of all four)
    :param country: optional ISO 3166-1 alpha-2 code (else the systems of every country)
    :returns: ``[{"id": concept id, "score": 0..1, "evidence": [{"term", "field", "kind", "text", ...}],
        "confidence": {"value": 0..1, "class", "right", "of"}}]``: ``score`` ranks and filters; ``confidence`` is
        how often proposals resting on the same kind of evidence were right on the evaluation set
    """
    if data_dict.get("id"):
        dataset = tk.get_action("package_show")(context, {"id": data_dict["id"]})
    else:
        dataset = {k: data_dict.get(k) for k in ("title", "notes", "tags", "publisher")}
        if not any(dataset.values()):
            raise tk.ValidationError({"title": [tk._("Give a dataset id, or at least its title.")]})
    lang = (data_dict.get("lang") or "").split("_")[0].lower() or None
    if lang and lang not in detection.STEMMERS:
        raise tk.ValidationError({"lang": [tk._("Unknown language: {lang}. Use es, pt, fr or en.").format(lang=lang)]})
    declared = dataset.get("pida_priority") or []
    suggestions = detection.suggest(dataset, lang=lang, country=data_dict.get("country") or dataset.get("pida_country"),
                                    exclude=[declared] if isinstance(declared, str) else declared)
    return [dict(s, confidence=detection.confidence(s)) for s in suggestions]


def pida_vocabulary_sync(context, data_dict):
    """Creates the ``pida_priority`` tag vocabulary, or adds the concepts it lacks. Idempotent and safe on a live
    portal: it never removes a tag (concept ids are permanent; a tag it does not know is reported, not deleted).
    Sysadmins only.

    :returns: ``{"vocabulary": id, "created": bool, "added": [ids], "unknown": [tags not in the PIDA list]}``
    """
    tk.check_access("pida_vocabulary_sync", context, data_dict)
    wanted = [c["id"] for c in vocabulary.concepts()]
    site_context = {"user": context.get("user"), "ignore_auth": True}
    try:
        vocab = tk.get_action("vocabulary_show")(site_context, {"id": vocabulary.PRIORITY_VOCABULARY})
    except tk.ObjectNotFound:
        vocab = tk.get_action("vocabulary_create")(
            site_context, {"name": vocabulary.PRIORITY_VOCABULARY, "tags": [{"name": i} for i in wanted]})
        return {"vocabulary": vocab["id"], "created": True, "added": wanted, "unknown": []}
    present = {t["name"] for t in vocab["tags"]}
    added = [i for i in wanted if i not in present]
    for tag in added:
        tk.get_action("tag_create")(site_context, {"name": tag, "vocabulary_id": vocab["id"]})
    return {"vocabulary": vocab["id"], "created": False, "added": added,
            "unknown": sorted(present - set(wanted))}


def get_actions():
    actions = {
        "pida_principles_show": pida_principles_show,
        "pida_priority_suggest": pida_priority_suggest,
        "pida_vocabulary_sync": pida_vocabulary_sync,
        **coverage_actions.get_actions(),
        **data_requests.get_actions(),
        **quality_logic.get_actions(),
        **_catalog_actions(),
    }
    for more in (withdrawals.get_actions(), legacy_writes.get_actions(), review_actions.get_actions()):
        for name, action in more.items():
            actions[name] = _compose(actions[name], action) if name in actions else action
    return actions


def _compose(outer, inner):
    """One chained action that runs ``outer`` around ``inner`` around the action it chains onto: a plugin gives
    CKAN one function per action name (withdrawals and legacy writes both chain ``package_update``)."""
    @tk.chained_action
    def chained(up_func, context, data_dict):
        return outer(lambda c, d: inner(up_func, c, d), context, data_dict)
    chained.__name__ = getattr(inner, "__name__", "chained")
    chained.__doc__ = inner.__doc__
    return chained


def _catalog_actions():
    """The catalogue endpoints (issue #4): chained onto ckanext-dcat's actions when ``dcat`` is loaded."""
    actions = catalog.get_actions()
    if not p.plugin_loaded("dcat"):
        actions = {name: action for name, action in actions.items() if not name.startswith("dcat_")}
    return actions

