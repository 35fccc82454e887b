"""Authorisation of ckanext-pida's actions. Sysadmins pass every check; what returns False here is theirs only."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


def sysadmin_only(context, data_dict=None):
    return {"success": False, "msg": tk._("Only sysadmins can change the PIDA vocabularies.")}


def coverage_snapshot(context, data_dict=None):
    return {"success": False, "msg": tk._("Only system administrators can take coverage snapshots.")}


@tk.auth_allow_anonymous_access
def pida_principles_show(context, data_dict=None):
    return {"success": True}  # package_show, called inside the action, decides on the dataset itself


@tk.auth_allow_anonymous_access
def pida_priority_suggest(context, data_dict=None):
    return {"success": True}  # pure text matching; with an id, package_show inside the action decides


@tk.auth_allow_anonymous_access
def pida_catalog_withdrawn(context, data_dict=None):
    return {"success": True}  # ids and URIs of withdrawn datasets only: what a harvester needs to drop its copy


def pida_fixes_show(context, data_dict=None):
    """The portal's editors and administrators: those who can change a dataset of some organisation."""
    from ckanext.pida import review
    if review.reviewable_orgs(context) == []:
        return {"success": False, "msg": tk._("Only editors of an organisation can see what to fix.")}
    return {"success": True}


def get_auth_functions():
    from ckanext.pida.data_requests import logic as data_requests
    return {
        **data_requests.get_auth_functions(),
        "pida_catalog_withdrawn": pida_catalog_withdrawn,
        "pida_vocabulary_sync": sysadmin_only,
        "pida_coverage_snapshot": coverage_snapshot,
        "pida_principles_show": pida_principles_show,
        "pida_priority_suggest": pida_priority_suggest,
        "pida_fixes_show": pida_fixes_show,
    }

