"""Drafts stay in the form's pages, page by page, and nothing is lost.

A dataset created through the paged form stays a draft until its data are added. CKAN's edit view sends a draft to
its one-page "new" form, which saves with ``package_update`` (so the fields of the other pages would be lost) and
skips the pages. This sends the edit of a draft to ckanext-scheming's page of the create form instead, which
saves with ``package_patch``, page by page."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

blueprint = Blueprint("pida_dataset_form", __name__)

EDIT_ENDPOINTS = {"scheming_edit", "scheming_edit_page"}


@blueprint.before_app_request
def draft_edit_goes_to_the_create_pages():
    endpoint = tk.request.endpoint or ""
    dataset_type, _dot, view = endpoint.partition(".")
    if tk.request.method != "GET" or view not in EDIT_ENDPOINTS:
        return None
    args = tk.request.view_args or {}
    try:
        pkg = tk.get_action("package_show")({}, {"id": args.get("id")})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None  # the view answers with its own 404
    if pkg.get("state") != "draft":
        return None
    page = args.get("page") or 1
    return tk.redirect_to("{}.scheming_new_page".format(dataset_type), id=pkg["name"], page=page)


@blueprint.app_context_processor
def draft_pages_post_to_themselves():
    """A refused page of a draft is shown again by CKAN's edit view, which points the form at the one-page "new"
    form (``g.form_action``): the corrected page would then be saved with ``package_update``, dropping the other
    pages. The page of a draft posts back to itself instead. (Context processors run when the template is
    rendered, after the view has set ``g.form_action``.)"""
    endpoint = tk.request.endpoint or ""
    if endpoint.endswith(".scheming_new_page") and tk.request.method == "POST":
        tk.g.form_action = tk.h.url_for(endpoint, **(tk.request.view_args or {}))
    return {}
