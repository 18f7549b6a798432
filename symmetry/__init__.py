"""Symmetry's framework-free core: domain types, the demo's generative model and the statistics.

Nothing here imports the web framework, the database layer or the report renderer; a test enforces it.
"""
