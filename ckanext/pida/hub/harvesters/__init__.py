"""The regional hub's harvesters, run by ckanext-harvest's gather and fetch consumers: one pipeline
(pipeline.py) and a reader per format of national catalogue, each a source type."""
from ckanext.pida.hub.harvesters.rdf import PidaHarvester

__all__ = ["PidaHarvester"]
