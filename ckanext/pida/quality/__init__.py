"""How good a dataset's metadata is, and whether its data opens.

``score``  the Metadata Quality Assessment of data.europa.eu (indicators and weights in ``mqa.yaml``), and what PIDA
           asks beyond it, scored apart.
``links``  the link checker: every distribution's URLs, checked in the background.
"""
