"""The regional hub's harvester (source type ``pida``), run by ckanext-harvest's gather and fetch consumers."""
from ckanext.pida.hub.harvesters.harvester import PidaHarvester

__all__ = ["PidaHarvester"]
