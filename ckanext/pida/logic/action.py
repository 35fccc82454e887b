"""API actions of ckanext-pida."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.pida import catalog, principles, vocabulary, withdrawals
from ckanext.pida.logic import coverage_actions


@tk.side_effect_free
def pida_principles_show(context, data_dict):
    """The Charter principle evaluation of one dataset, with reasons in the user's language.

    :param id: the dataset's id or name
    :param lang: optional language of the reasons (es, en, pt_BR, fr); default: the request's
    """
    pkg = tk.get_action("package_show")(context, {"id": tk.get_or_bust(data_dict, "id")})
    return principles.explain(principles.evaluate(pkg), data_dict.get("lang"))


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
    return {
        "pida_principles_show": pida_principles_show,
        "pida_vocabulary_sync": pida_vocabulary_sync,
        **coverage_actions.get_actions(),
        **_catalog_actions(),
        **withdrawals.get_actions(),
    }


def _catalog_actions():
    """The catalogue endpoints (issue #4): chained onto ckanext-dcat's actions when ``dcat`` is loaded."""
    actions = catalog.get_actions()
    if not p.plugin_loaded("dcat"):
        actions = {name: action for name, action in actions.items() if not name.startswith("dcat_")}
    return actions

