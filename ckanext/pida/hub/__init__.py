"""The regional hub (plugin ``pida_hub``): federates the national catalogues and reports their harvest health.

A national portal never imports this package: it alone uses ckanext-harvest, whose model would otherwise make
CKAN's own actions (``dataset_purge``) query harvest tables that a portal does not have.

    plugin.py       the ``pida_hub`` plugin: wires CKAN to the modules below
    harvesters/     the harvester (source type ``pida``): configuration, safe fetching, records, messages, runner
    logic.py        the hub's actions (harvest health, asking for a run)
    views.py        /pida/hub/health and its run buttons
    cli.py          ``ckan pida hub-source``, ``harvest``, ``harvest-health``
    model.py        the hub's tables (harvest records and runs)
    templates/      the hub's pages
"""
