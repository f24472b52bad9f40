"""The case file: notes, documents, the correspondence log and linked cases (issue 15)."""
