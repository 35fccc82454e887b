"""The ``pida`` RDF profile: DCAT-AP 3 plus the PIDA fields, read and written.

Layered after ``euro_dcat_ap_3``, which already includes ckanext-dcat's scheming mapping
(``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 pida``). It follows the DCAT-AP HVD pattern:

=========================  ==========================================================================================
CKAN field                 RDF
=========================  ==========================================================================================
pida_priority              ``dcat:theme`` and ``pida:priorityDataset`` -> concept of the PIDA scheme; plus
                           ``dcatap:applicableLegislation`` -> the OAS resolution (``vocabulary.legislation_uri()``)
pida_standards             ``dct:conformsTo`` -> the standard's URI (a ``dct:Standard``)
pida_country               ``dct:spatial`` -> EU country authority URI (a ``dct:Location``)
pida_stages                ``pida:stage`` -> ``<base>stages/<id>``
pida_identifier_schemes    ``pida:identifierScheme`` -> ``<base>identifier-schemes/<id>``
pida_jurisdiction          ``pida:jurisdictionLevel`` -> ``<base>jurisdiction-levels/<id>``
pida_personal_data         ``pida:personalData`` xsd:boolean
pida_anonymisation         ``pida:anonymisation``;  pida_legal_basis ``pida:legalBasis``;
pida_withheld              ``pida:withheldInformation``
(computed)                 Charter principles as ``dqv:hasQualityMeasurement`` (written only, never read back)
(computed)                 the MQA score (``pv:score``) and, in the dataset's own endpoint, each MQA indicator as
                           piveau's DQV metrics (``pv:keywordAvailability``...) on the dataset or its distributions
=========================  ==========================================================================================

``frequency`` (an EU frequency URI) is written by ckanext-dcat as ``dct:accrualPeriodicity``. ``pida_harvest`` is
set by the hub and never read from a remote catalogue.
"""
from __future__ import annotations

import json
import re

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, RDF, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT, DCATAP, DCT, VCARD, RDFProfile

from ckanext.pida import encodings, principles, vocabulary

ELI = Namespace("http://data.europa.eu/eli/ontology#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
#: piveau's metrics, as data.europa.eu publishes its Metadata Quality Assessment.
PV = Namespace("https://piveau.eu/ns/voc#")
#: Set on the dataset dicts of a catalogue page: the profile then writes the compact Charter evaluation.
IN_CATALOG = "_pida_in_catalog"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
#: CKAN format names whose EU file-type code is not their upper-cased name.
FILE_TYPES = {"rdf": "RDF_XML", "rdf/xml": "RDF_XML", "xml/rdf": "RDF_XML", "ttl": "RDF_TURTLE",
              "turtle": "RDF_TURTLE", "n3": "N3", "jsonld": "JSON_LD", "json-ld": "JSON_LD", "zip/csv": "ZIP",
              "shapefile": "SHP", "excel": "XLSX", "text": "TXT"}
#: CKAN locales -> EU language authority codes (the catalogue's dct:language).
LANGUAGES = {"es": "SPA", "en": "ENG", "pt": "POR", "fr": "FRA"}


def pida_ns() -> Namespace:
    """The PIDA terms namespace (depends on ``ckanext.pida.base_uri``)."""
    return Namespace(vocabulary.terms_namespace())


def jurisdiction_uri(level_id: str) -> str:
    return vocabulary.base_uri() + "jurisdiction-levels/" + level_id


def check_uri(check_id: str) -> str:
    return vocabulary.base_uri() + "checks/" + check_id


def _id_from_uri(uri, segment: str, allowed) -> str | None:
    """The id at the end of ``.../<segment>/<id>``, whatever base the publishing portal used."""
    match = re.search(r"/%s/([A-Za-z0-9_.-]+)/?$" % re.escape(segment), str(uri))
    return match.group(1) if match and match.group(1) in allowed else None


def _as_list(value) -> list:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


class PidaProfile(RDFProfile):
    """DCAT-AP 3 + PIDA (see the module docstring for the mapping)."""

    # --- CKAN -> RDF -------------------------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        g, PIDA = self.g, pida_ns()
        g.bind("pida", PIDA)
        g.bind("dqv", DQV)
        g.bind("eli", ELI)

        concept_ids = [c for c in _as_list(dataset_dict.get("pida_priority")) if vocabulary.concept(c)]
        for concept_id in concept_ids:
            ref = URIRef(vocabulary.concept_uri(concept_id))
            g.add((dataset_ref, DCAT.theme, ref))
            g.add((dataset_ref, PIDA.priorityDataset, ref))
            self._describe_concept(ref, vocabulary.concept(concept_id), vocabulary.scheme_uri())
        if concept_ids:
            legislation = URIRef(vocabulary.legislation_uri())
            g.add((dataset_ref, DCATAP.applicableLegislation, legislation))
            g.add((legislation, RDF.type, ELI.LegalResource))

        for standard_id in _as_list(dataset_dict.get("pida_standards")):
            uri, standard = vocabulary.standard_uri(standard_id), vocabulary.item("standards", standard_id)
            if uri:
                g.add((dataset_ref, DCT.conformsTo, URIRef(uri)))
                g.add((URIRef(uri), RDF.type, DCT.Standard))
                g.add((URIRef(uri), DCT.title, Literal(vocabulary.text(standard.get("label"), "en"))))

        country = vocabulary.country(dataset_dict.get("pida_country"))
        if country:
            ref = URIRef(vocabulary.country_uri(country["code"]))
            g.add((dataset_ref, DCT.spatial, ref))
            g.add((ref, RDF.type, DCT.Location))
            g.add((ref, SKOS.prefLabel, Literal(vocabulary.text(country.get("name"), "en"))))

        for predicate, values, uri_of, section in (
            (PIDA.stage, dataset_dict.get("pida_stages"), vocabulary.stage_uri, "stages"),
            (PIDA.identifierScheme, dataset_dict.get("pida_identifier_schemes"),
             vocabulary.identifier_scheme_uri, "identifier_schemes"),
        ):
            for value in _as_list(values):
                item = vocabulary.item(section, value)
                if item:
                    ref = URIRef(uri_of(value))
                    g.add((dataset_ref, predicate, ref))
                    self._describe_concept(ref, item, vocabulary.base_uri() + section.replace("_", "-"))

        level = dataset_dict.get("pida_jurisdiction")
        if level and level in vocabulary.allowed_values("jurisdiction_levels"):
            g.add((dataset_ref, PIDA.jurisdictionLevel, URIRef(jurisdiction_uri(level))))

        if dataset_dict.get("pida_personal_data") in ("yes", "no"):
            g.add((dataset_ref, PIDA.personalData,
                   Literal(dataset_dict["pida_personal_data"] == "yes", datatype=XSD.boolean)))
        for key, predicate in (("pida_anonymisation", PIDA.anonymisation),
                               ("pida_legal_basis", PIDA.legalBasis),
                               ("pida_withheld", PIDA.withheldInformation)):
            if dataset_dict.get(key):
                g.add((dataset_ref, predicate, Literal(dataset_dict[key])))

        self._add_principles(dataset_dict, dataset_ref)
        self._add_quality(dataset_dict, dataset_ref)
        self._legacy_values(dataset_dict, dataset_ref)
        self._formats_as_file_types(dataset_ref)
        self._license_on_distributions(dataset_dict, dataset_ref)
        self._drop_duplicate_blank_nodes(dataset_ref)

    def _legacy_values(self, dataset_dict, dataset_ref):
        """A dataset from before the plugin (not yet adopted) may store "Anual", "es" or "15/03/2019": ckanext-dcat
        writes them as they are (literals, or a date guessed month first). They are written as DCAT-AP wants them,
        read as the hub reads them (encodings.py): EU frequency and language URIs, ISO dates; a value that cannot be
        read is left out of the RDF (DCAT-AP's ranges are IRIs), never made up. A dataset without a contact point
        gets its maintainer's (or author's) email, as ckanext-dcat does for core CKAN."""
        g = self.g
        for predicate, read, cls in ((DCT.accrualPeriodicity, encodings.frequency_uri, DCT.Frequency),
                                     (DCT.language, encodings.language_uri, DCT.LinguisticSystem)):
            for value in list(g.objects(dataset_ref, predicate)):
                if isinstance(value, Literal):
                    g.remove((dataset_ref, predicate, value))
                    uri = read(str(value))
                    if uri:
                        g.add((dataset_ref, predicate, URIRef(uri)))
                        g.add((URIRef(uri), RDF.type, cls))
        for key, predicate in (("issued", DCT.issued), ("modified", DCT.modified)):
            value = dataset_dict.get(key)
            iso = encodings.iso_date(value) if value else None
            if value and iso != value:
                g.remove((dataset_ref, predicate, None))
                if iso:
                    self._add_date_triple(dataset_ref, predicate, iso)
        if (dataset_ref, DCAT.contactPoint, None) not in g:
            contact = next(iter(principles.contact_points(dataset_dict)), None)
            if contact and contact.get("email"):
                node = BNode()
                g.add((dataset_ref, DCAT.contactPoint, node))
                g.add((node, RDF.type, VCARD.Kind))
                if contact.get("name"):
                    g.add((node, VCARD.fn, Literal(contact["name"])))
                g.add((node, VCARD.hasEmail, URIRef("mailto:" + contact["email"])))

    def _formats_as_file_types(self, dataset_ref):
        """DCAT-AP 3 wants dct:format as a dct:MediaTypeOrExtent IRI: CKAN's "CSV" becomes the EU file type."""
        g = self.g
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            for fmt in list(g.objects(distribution, DCT["format"])):
                if isinstance(fmt, Literal) and re.match(r"^[A-Za-z0-9][A-Za-z0-9_/.+-]*$", str(fmt)):
                    code = FILE_TYPES.get(str(fmt).lower()) or re.sub(r"[^A-Z0-9_]", "_", str(fmt).upper())
                    ref = URIRef(EU_FILE_TYPE + code)
                    g.remove((distribution, DCT["format"], fmt))
                    g.add((distribution, DCT["format"], ref))
                    g.add((ref, RDF.type, DCT.MediaTypeOrExtent))

    def _license_on_distributions(self, dataset_dict, dataset_ref):
        """DCAT-AP puts the licence on distributions; ckanext-dcat copies the dataset's only when
        ``ckanext.dcat.resource.inherit.license`` is set. The PIDA licence must reach the harvester: copy it."""
        url = dataset_dict.get("license_url")
        if not url or not str(url).startswith(("http://", "https://")):
            return
        g, ref = self.g, URIRef(url)
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            if (distribution, DCT.license, None) not in g:
                g.add((distribution, DCT.license, ref))
                g.add((ref, RDF.type, DCT.LicenseDocument))
                if dataset_dict.get("license_title"):
                    g.add((ref, DCT.title, Literal(dataset_dict["license_title"])))

    def _drop_duplicate_blank_nodes(self, dataset_ref):
        """``euro_dcat_ap_3`` already includes the scheming mapping, so with ``euro_dcat_ap_scheming`` also
        configured every publisher, contact point and period is written twice as identical blank nodes (and
        DCAT-AP allows one publisher). Keep one of each."""
        g = self.g
        for predicate in (DCT.publisher, DCT.creator, DCAT.contactPoint, DCT.temporal, DCT.spatial):
            seen = set()
            for node in list(g.objects(dataset_ref, predicate)):
                if not isinstance(node, BNode):
                    continue
                signature = frozenset((p, o) for p, o in g.predicate_objects(node) if not isinstance(o, BNode))
                if signature in seen:
                    g.remove((dataset_ref, predicate, node))
                    g.remove((node, None, None))
                else:
                    seen.add(signature)

    def _describe_concept(self, ref, item, scheme_uri):
        """Type and label a concept in the dataset's graph, so that DCAT-AP's range checks (skos:Concept) hold
        without fetching the scheme."""
        g = self.g
        g.add((ref, RDF.type, SKOS.Concept))
        g.add((ref, SKOS.inScheme, URIRef(scheme_uri)))
        label = item.get("label")
        if isinstance(label, dict):
            for lang, text in label.items():
                if text:
                    g.add((ref, SKOS.prefLabel, Literal(text, lang=lang)))
        elif label:
            g.add((ref, SKOS.prefLabel, Literal(label)))

    def _add_principles(self, dataset_dict, dataset_ref):
        """The Charter principle evaluation as DQV measurements: one per principle, and one per check in the
        per-dataset endpoint. In the catalogue (``catalog.serialize_catalog`` marks its datasets
        ``_pida_in_catalog``) the checks are left out: they were two thirds of a catalogue page's triples, and a
        harvester that wants them reads the dataset's own endpoint."""
        if not dataset_dict.get("pida_priority"):
            return
        from ckanext.pida import principles  # the lead's module; imported late so the profile loads without it

        g = self.g
        with_checks = not dataset_dict.get(IN_CATALOG)
        for principle_id, result in principles.evaluate(dataset_dict).items():
            m = BNode()
            g.add((dataset_ref, DQV.hasQualityMeasurement, m))
            g.add((m, RDF.type, DQV.QualityMeasurement))
            g.add((m, DQV.isMeasurementOf, URIRef(vocabulary.principle_uri(principle_id))))
            g.add((m, DQV.value, Literal(result["status"])))
            for check_id, passed in (result.get("checks") or {}).items() if with_checks else ():
                if passed is None:
                    continue
                c = BNode()
                g.add((dataset_ref, DQV.hasQualityMeasurement, c))
                g.add((c, RDF.type, DQV.QualityMeasurement))
                g.add((c, DQV.isMeasurementOf, URIRef(check_uri(check_id))))
                g.add((c, DQV.value, Literal(bool(passed), datatype=XSD.boolean)))

    def _measure(self, subject, metric, value, datatype):
        m = BNode()
        self.g.add((subject, DQV.hasQualityMeasurement, m))
        self.g.add((m, RDF.type, DQV.QualityMeasurement))
        self.g.add((m, DQV.isMeasurementOf, metric))
        self.g.add((m, DQV.value, Literal(value, datatype=datatype)))

    def _add_quality(self, dataset_dict, dataset_ref):
        """The MQA score as a DQV measurement (``pv:score``); in the dataset's own endpoint, also each indicator
        as data.europa.eu writes them: the dataset's on the dataset, each distribution's on that distribution (its
        access and download URL's last HTTP status, when the link checker has one)."""
        from ckanext.dcat.utils import resource_uri
        from ckanext.pida.quality import logic as quality_logic, score

        g = self.g
        g.bind("pv", PV)
        report = quality_logic.report(dataset_dict)
        self._measure(dataset_ref, PV.score, report["score"], XSD.integer)
        if dataset_dict.get(IN_CATALOG):
            return
        met = {i["id"]: i for i in report["indicators"]}
        for ind in score.methodology()["indicators"]:
            if ind["scope"] == "dataset":
                self._measure(dataset_ref, PV[ind["metric"]], met[ind["id"]]["met"] == 1, XSD.boolean)
        by_id = {d["id"]: d for d in report["distributions"]}
        for resource in dataset_dict.get("resources") or []:
            distribution = URIRef(resource_uri(resource))
            if (dataset_ref, DCAT.distribution, distribution) not in g:
                continue
            for ind in score.methodology()["indicators"]:
                if ind["scope"] == "dataset" or ind["id"].endswith("_status"):
                    continue
                passed = score.DISTRIBUTION_CHECKS[ind["id"]](resource, dataset_dict, {"links": {}})
                self._measure(distribution, PV[ind["metric"]], bool(passed), XSD.boolean)
            for link in (by_id.get(resource.get("id")) or {}).get("links", []):
                if link.get("http_status"):
                    metric = PV.accessUrlStatusCode if link["role"] == "access" else PV.downloadUrlStatusCode
                    self._measure(distribution, metric, link["http_status"], XSD.integer)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        """The PIDA concept scheme as dcat:themeTaxonomy, and what DCAT-AP 3 requires of a catalogue that
        ckanext-dcat leaves out or writes as literals: language IRIs, a typed homepage, a description and a
        publisher (``ckanext.pida.catalog_publisher_name`` / ``_uri``, else the site title)."""
        g, PIDA = self.g, pida_ns()
        g.bind("pida", PIDA)
        for lang in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(lang, Literal):
                g.remove((catalog_ref, DCT.language, lang))
        locales = tk.aslist(tk.config.get("ckan.locales_offered")) or [tk.config.get("ckan.locale_default") or "en"]
        for code in dict.fromkeys(LANGUAGES.get(loc.split("_")[0]) for loc in locales):
            if code:
                ref = URIRef(EU_LANGUAGE + code)
                g.add((catalog_ref, DCT.language, ref))
                g.add((ref, RDF.type, DCT.LinguisticSystem))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        title = tk.config.get("ckan.site_title") or "CKAN"
        if not list(g.objects(catalog_ref, DCT.description)):
            g.add((catalog_ref, DCT.description, Literal(
                "Open data catalogue of %s, with the PIDA priority datasets to fight corruption." % title, lang="en")))
        if not list(g.objects(catalog_ref, DCT.publisher)):
            uri = tk.config.get("ckanext.pida.catalog_publisher_uri")
            publisher = URIRef(uri) if uri else BNode()
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(tk.config.get("ckanext.pida.catalog_publisher_name") or title)))
        scheme = URIRef(vocabulary.scheme_uri())
        g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        for lang, text in (vocabulary.scheme().get("title") or {}).items():
            g.add((scheme, DCT.title, Literal(text, lang=lang)))

    # --- RDF -> CKAN -------------------------------------------------------------------------------------

    def parse_dataset(self, dataset_dict, dataset_ref):
        g, PIDA = self.g, pida_ns()
        objects = lambda predicate: list(g.objects(dataset_ref, predicate))  # noqa: E731

        # A portal on another base publishes other concept URIs: concept_id_from_uri matches the id at their end.
        concept_uris = {str(o) for o in objects(PIDA.priorityDataset) + objects(DCAT.theme)}
        priority = sorted({c for c in map(vocabulary.concept_id_from_uri, concept_uris) if c})
        if priority:
            dataset_dict["pida_priority"] = priority
        self._drop_values(dataset_dict, "theme", lambda v: vocabulary.concept_id_from_uri(v))
        self._drop_values(dataset_dict, "applicable_legislation", lambda v: v == vocabulary.legislation_uri())

        standard_by_uri = {vocabulary.standard_uri(s["id"]): s["id"] for s in vocabulary.section("standards")}
        standards = [standard_by_uri[str(o)] for o in objects(DCT.conformsTo) if str(o) in standard_by_uri]
        if standards:
            dataset_dict["pida_standards"] = sorted(set(standards))
        self._drop_values(dataset_dict, "conforms_to", lambda v: v in standard_by_uri)

        countries = [c for c in (vocabulary.country_from_uri(str(o)) for o in objects(DCT.spatial)) if c]
        if countries:
            dataset_dict["pida_country"] = countries[0]["code"]
            uris = {vocabulary.country_uri(countries[0]["code"])}
            coverage = [s for s in _as_list(dataset_dict.get("spatial_coverage"))
                        if not (isinstance(s, dict) and s.get("uri") in uris)]
            if coverage:
                dataset_dict["spatial_coverage"] = coverage
            else:
                dataset_dict.pop("spatial_coverage", None)
            dataset_dict["extras"] = [e for e in dataset_dict.get("extras", [])
                                      if not (e["key"] == "spatial_uri" and e["value"] in uris)]

        for key, predicate, segment, source in (
            ("pida_stages", PIDA.stage, "stages", "stages"),
            ("pida_identifier_schemes", PIDA.identifierScheme, "identifier-schemes", "identifier_schemes"),
        ):
            allowed = set(vocabulary.allowed_values(source))
            values = sorted({v for v in (_id_from_uri(o, segment, allowed) for o in objects(predicate)) if v})
            if values:
                dataset_dict[key] = values

        allowed = set(vocabulary.allowed_values("jurisdiction_levels"))
        for o in objects(PIDA.jurisdictionLevel):
            level = _id_from_uri(o, "jurisdiction-levels", allowed)
            if level:
                dataset_dict["pida_jurisdiction"] = level

        personal = self._object_value(dataset_ref, PIDA.personalData)
        if personal:
            dataset_dict["pida_personal_data"] = "yes" if personal.lower() in ("true", "1") else "no"
        for key, predicate in (("pida_anonymisation", PIDA.anonymisation),
                               ("pida_legal_basis", PIDA.legalBasis),
                               ("pida_withheld", PIDA.withheldInformation)):
            value = self._object_value(dataset_ref, predicate)
            if value:
                dataset_dict[key] = value

        for resource in dataset_dict.get("resources", []):
            fmt = resource.get("format") or ""
            if fmt.startswith(EU_FILE_TYPE):
                code = fmt[len(EU_FILE_TYPE):]
                resource["format"] = next((k.upper() for k, v in FILE_TYPES.items() if v == code), code)
        # ckanext-dcat stores lists as JSON text unless the field is scheming_multiple_text; multiple-choice
        # fields (language, ...) want a list.
        for field in (self._dataset_schema or {}).get("dataset_fields", []):
            value = dataset_dict.get(field["field_name"])
            if "scheming_multiple_choice" in str(field.get("validators", "")) and isinstance(value, str) \
                    and value.startswith("["):
                try:
                    dataset_dict[field["field_name"]] = json.loads(value)
                except ValueError:
                    pass
        return dataset_dict

    @staticmethod
    def _drop_values(dataset_dict, key, is_ours):
        """Remove the values the PIDA fields now carry from a list field the DCAT-AP profiles filled, whether it
        sits at the root (scheming) or in the extras (as a JSON list)."""

        def keep(values):
            return [v for v in values if not is_ours(v)]

        if isinstance(dataset_dict.get(key), list):
            dataset_dict[key] = keep(dataset_dict[key])
            if not dataset_dict[key]:
                dataset_dict.pop(key)
        extras = []
        for extra in dataset_dict.get("extras", []):
            if extra["key"] == key:
                try:
                    values = keep(json.loads(extra["value"]))
                except (ValueError, TypeError):
                    values = [extra["value"]] if not is_ours(extra["value"]) else []
                if not values:
                    continue
                extra = {"key": key, "value": json.dumps(values)}
            extras.append(extra)
        if "extras" in dataset_dict:
            dataset_dict["extras"] = extras
