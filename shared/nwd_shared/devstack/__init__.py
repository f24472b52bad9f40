"""The embedded stack for `make run` and the tests: Tansu and the five services as processes."""
