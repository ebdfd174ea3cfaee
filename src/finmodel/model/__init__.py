"""The model: scenario files, the schema, the vectorized engine, the projection and its checks.

Reads and validates scenario files into frozen :class:`~finmodel.model.scenario.Scenario`
objects and computes the contract's lines and KPIs for one scenario or many draws at once.
Imports nothing from the layers above it (analysis, views, front ends).
"""
