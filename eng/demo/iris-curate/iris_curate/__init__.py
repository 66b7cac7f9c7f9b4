"""Curation of the iris field notes (see iris_curate.task)."""
