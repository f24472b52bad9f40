"""Learning reports: figures, renderings and the KO41a return."""
