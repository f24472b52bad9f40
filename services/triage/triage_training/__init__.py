"""Offline tools for triage's semantic layer: the corpus, distillation, training and the report."""
