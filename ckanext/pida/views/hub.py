"""Pages of the regional hub: /pida/hub/health (harvest health of every national catalogue)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

blueprint = Blueprint("pida_hub", __name__)


@blueprint.route("/pida/hub/health")
def health():
    sources = tk.get_action("pida_harvest_health")({}, {})
    return tk.render("pida/hub_health.html", {"sources": sources})
