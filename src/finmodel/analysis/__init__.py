"""Analyses on top of the model: uncertainty and simulation, sensitivity and data tables,
goal seek, comparison and the Shapley bridge, parties, risks and what-if.

Every function returns data (dataclasses, arrays, frames); nothing here draws, formats or
writes HTML (that is :mod:`finmodel.views`). Imports only :mod:`finmodel.model`.
"""
