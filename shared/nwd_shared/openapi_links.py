"""OpenAPI `links`: which later calls a response's value feeds, so clients and stateful fuzzing
(Schemathesis) can follow a contact from its creation to its reads and changes."""

from __future__ import annotations


def links(expression: str, *targets: tuple[str, str], parameter: str = "reference") -> dict:
    """A response's links: `expression` (e.g. `$response.body#/reference`) as each target's path parameter.

    `targets` are (method, path) pairs of the same document, e.g. ("get", "/v1/contacts/{reference}").
    """
    return {
        method + "".join(part.strip("{}").title().replace("-", "") for part in path.split("/")): {
            "operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method,
            "parameters": {parameter: expression},
        }
        for method, path in targets
    }
