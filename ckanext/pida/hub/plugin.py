"""The ``pida_hub`` plugin: the regional hub. It runs beside ``pida`` (same schema, vocabulary and coverage) and
adds federation: its pages, actions and commands, and it is itself the DCAT RDF harvester (source type ``pida``).
The other readers are plugins of their own (``pida_datajson``, ``pida_dcatus``, ``pida_ckan``); a hub enables
``pida pida_hub pida_datajson pida_dcatus pida_ckan scheming_datasets harvest dcat``."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.pida.hub import cli, logic, views
from ckanext.pida.hub.harvesters import PidaHarvester, sources


class PidaHubPlugin(PidaHarvester):
    p.implements(p.IConfigurer, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.IActions)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IClick)

    # IConfigurer
    def update_config(self, config):
        if "pida" not in tk.aslist(config.get("ckan.plugins")):
            raise RuntimeError("ckan.plugins lists pida_hub without pida: the hub runs beside pida (its schema, "
                               "vocabulary, coverage and review queue); list pida first")
        tk.add_template_directory(config, "templates")

    # IBlueprint
    def get_blueprint(self):
        return [views.blueprint]

    # IActions
    def get_actions(self):
        return logic.get_actions()

    # IPackageController
    def after_dataset_show(self, context, pkg_dict):
        return sources.lift_source_fields(pkg_dict)

    def before_dataset_index(self, pkg_dict):
        return sources.index_source_fields(pkg_dict)

    # IClick: the hub's commands join ``ckan pida`` (the group of the ``pida`` plugin)
    def get_commands(self):
        return cli.get_commands()
