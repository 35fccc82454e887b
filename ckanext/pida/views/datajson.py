"""``/data.json``: the portal's catalogue in the OAS/RedGEALC regional metadata profile, streamed
(ckanext/pida/datajson.py). ``?lang=`` gives the theme labels in another language (default: the site's)."""
from __future__ import annotations

from flask import Blueprint, Response, stream_with_context

import ckan.plugins.toolkit as tk

from ckanext.pida import datajson

blueprint = Blueprint("pida_datajson", __name__)


@blueprint.route("/data.json")
def catalogue():
    lang = tk.request.args.get("lang") or tk.config.get("ckan.locale_default") or "es"
    return Response(stream_with_context(datajson.stream(lang)), mimetype="application/json",
                    headers={"Cache-Control": "public, max-age=600"})
