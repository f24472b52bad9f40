"""Benchmarks: `make bench`. Each figure is measured beside its floor in the same run."""
