"""The ``pida`` plugin, on every site. Each method only wires CKAN to the module that does the job.

``pida``      a national portal: PIDA schema, priority-dataset vocabulary, Charter principles, DCAT endpoints,
              coverage. Nothing here imports the hub (ckanext.pida.hub, plugin ``pida_hub``) or ckanext-harvest.
"""
from __future__ import annotations

import logging

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.pida import cli, helpers, indexing, search_languages, validators
from ckanext.pida.logic import action, auth
from ckanext.pida.quality import links
from ckanext.pida.views import blueprints


log = logging.getLogger(__name__)


def _check_plugin_order(config) -> None:
    """CKAN gives the templates of the plugin listed first precedence: listed after ``scheming_datasets``, the PIDA
    form and dataset page fall back to ckanext-scheming's (English buttons, cut step labels, empty rows)."""
    plugins = tk.aslist(config.get("ckan.plugins"))
    if "scheming_datasets" in plugins and "pida" in plugins \
            and plugins.index("scheming_datasets") < plugins.index("pida"):
        log.warning("ckan.plugins lists scheming_datasets before pida: list pida first, or the PIDA dataset form "
                    "and pages are not used")


@tk.blanket.config_declarations
class PidaPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IValidators)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IClick)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        _check_plugin_order(config)
        tk.add_resource("assets", "pida")

    # ITranslation: DefaultTranslation reads ckanext/pida/i18n/<locale>/LC_MESSAGES/ckanext-pida.mo

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers()

    # IValidators
    def get_validators(self):
        return validators.get_validators()

    # IPackageController
    def before_dataset_index(self, pkg_dict):
        return indexing.before_dataset_index(pkg_dict)

    def after_dataset_create(self, context, pkg_dict):
        links.enqueue_dataset(pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        links.enqueue_dataset(pkg_dict)

    def before_dataset_search(self, search_params):
        return search_languages.before_dataset_search(search_params)

    def after_dataset_search(self, search_results, search_params):
        return indexing.after_dataset_search(search_results)

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return indexing.dataset_facets(facets_dict)

    # IActions
    def get_actions(self):
        return action.get_actions()

    # IAuthFunctions
    def get_auth_functions(self):
        return auth.get_auth_functions()

    # IBlueprint
    def get_blueprint(self):
        return blueprints()

    # IClick
    def get_commands(self):
        return cli.get_commands()
