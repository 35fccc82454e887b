"""The two plugins of ckanext-pida.

``pida``      a national portal: PIDA schema, priority-dataset vocabulary, Charter principles, DCAT endpoints.
``pida_hub``  the regional hub: harvests national catalogues and shows each country's coverage.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


class PidaPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")


class PidaHubPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
