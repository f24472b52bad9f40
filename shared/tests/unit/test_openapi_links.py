"""OpenAPI links: a new contact's reference and a decision's lead on to the calls that take them."""

from __future__ import annotations

import intake.main
import triage.main
from nwd_shared.openapi_links import links


def test_a_link_points_at_its_target_by_an_escaped_json_pointer():
    assert links("$response.body#/reference", ("get", "/v1/contacts/{reference}/audit")) == {
        "getV1ContactsReferenceAudit": {"operationRef": "#/paths/~1v1~1contacts~1{reference}~1audit/get",
                                        "parameters": {"reference": "$response.body#/reference"}}}


def resolve(document: dict, ref: str) -> dict:
    path, method = ref.removeprefix("#/paths/").rsplit("/", 1)
    return document["paths"][path.replace("~1", "/").replace("~0", "~")][method]


def test_every_link_in_intake_and_triage_reaches_an_operation_that_takes_its_parameter():
    for app in (intake.main.create_app(), triage.main.create_app()):
        document = app.openapi()
        found = [link for operation in (op for ops in document["paths"].values() for op in ops.values())
                 for response in operation["responses"].values() for link in response.get("links", {}).values()]
        assert found
        for link in found:
            target = resolve(document, link["operationRef"])
            names = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
            assert set(link["parameters"]) <= names, link
