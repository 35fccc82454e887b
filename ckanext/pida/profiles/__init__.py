"""RDF profiles of ckanext-pida (entry point group ``ckan.rdf.profiles``)."""
from ckanext.pida.profiles.pida import PidaProfile

__all__ = ["PidaProfile"]
