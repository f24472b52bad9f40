"""Triage's semantic layer: recognises abuse and neglect described in everyday words."""
