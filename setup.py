from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-pida",
    version="0.1.0",
    description=(
        "CKAN extension for the OAS Inter-American Open Data Program to fight corruption (PIDA): "
        "metadata schema, priority-dataset vocabulary, DCAT endpoints, hub harvester and coverage"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=find_namespace_packages(include=["ckanext.*"]),
    include_package_data=True,
    package_data={
        "ckanext.pida": [
            "schemas/*.yaml",
            "schemas/*.json",
            "vocabularies/*.yaml",
            "vocabularies/calibration/*.yaml",
            "quality/*.yaml",
            "shapes/*.ttl",
            "solr/*.xml",
            "templates/**/*.html",
            "hub/templates/**/*.html",
            "i18n/*/LC_MESSAGES/*",
            "migration/pida/*.ini",
            "migration/pida/*.mako",
            "migration/pida/versions/*.py",
            "config_declaration.yaml",
            "assets/*",
        ]
    },
    # The one-page country profile as a PDF: WeasyPrint (and the Pango library of the system). Without it, the profile
    # is an HTML page that prints on one A4 sheet.
    extras_require={"pdf": ["weasyprint>=65,<67"]},
    # CKAN itself is the host application and is not pulled in here (see requirements-dev.txt).
    install_requires=[
        "ckanext-scheming>=3.0,<4",
        "ckanext-dcat>=2.4,<2.5",
        "ckanext-harvest>=1.6,<1.7",
        "rdflib>=7,<8",
        "PyYAML>=6",
        "requests>=2.28",
        "openpyxl>=3.1,<4",  # the coverage as a spreadsheet (typed numbers and percentages)
        "snowballstemmer>=2.2,<4",  # the detector of priority datasets (Snowball stemmers, pure Python)
    ],
    entry_points={
        "ckan.plugins": [
            "pida = ckanext.pida.plugin:PidaPlugin",
            "pida_hub = ckanext.pida.hub.plugin:PidaHubPlugin",
            "pida_datajson = ckanext.pida.hub.harvesters.datajson:RegionalProfileHarvester",
            "pida_dcatus = ckanext.pida.hub.harvesters.datajson:DcatUsHarvester",
            "pida_ckan = ckanext.pida.hub.harvesters.ckanapi:CkanApiHarvester",
        ],
        "ckan.rdf.profiles": [
            "pida = ckanext.pida.profiles:PidaProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
