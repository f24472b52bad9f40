"""The AsyncAPI document: generated from the catalogue, current, valid, and complete."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from nwd_shared import events as ev
from nwd_shared.events import asyncapi

ROOT = Path(__file__).parents[3]
CHECKED_IN = ROOT / "docs" / "asyncapi.yaml"
# The official AsyncAPI 3.0 JSON Schema, installed from the npm lock file by `make install`.
SCHEMA = ROOT / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    assert SCHEMA.exists(), f"{SCHEMA} is missing: run `make install`"
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_the_checked_in_document_is_the_one_the_catalogue_generates():
    assert CHECKED_IN.read_text(encoding="utf-8") == asyncapi.render(), "run `make asyncapi`"


def test_the_document_is_valid_asyncapi_3(validator):
    document = yaml.safe_load(CHECKED_IN.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(document)] == []


def test_the_validator_refuses_a_broken_document(validator):
    broken = copy.deepcopy(asyncapi.document())
    # "publish" is AsyncAPI 2's verb; 3.0 allows only send and receive.
    next(iter(broken["operations"].values()))["action"] = "publish"
    assert list(validator.iter_errors(broken))


def test_every_event_type_is_a_message_on_its_topics_channel():
    document = asyncapi.document()
    messages = document["components"]["messages"]
    named = {m["name"] for key, m in messages.items() if key != "DeadLetter"}
    assert named == set(ev.TYPE_NAMES)
    on_channels = {
        (channel["address"], messages[ref["$ref"].rsplit("/", 1)[1]]["name"])
        for channel in document["channels"].values() for ref in channel["messages"].values()
    }
    for type_name in ev.TYPE_NAMES:
        assert (ev.topic_of(type_name), type_name) in on_channels


def test_every_topic_and_its_dead_letter_topic_is_a_channel():
    addresses = {c["address"] for c in asyncapi.document()["channels"].values()}
    assert addresses == set(ev.TOPICS) | {ev.dead_letter_topic(t) for t in ev.TOPICS}


def test_each_message_payload_is_its_events_data_schema():
    document = asyncapi.document()
    schemas = document["components"]["schemas"]
    for model in ev.EVENT_TYPES:
        payload = document["components"]["messages"][model.__name__]["payload"]
        name = payload["$ref"].rsplit("/", 1)[1]
        assert set(schemas[name]["properties"]) == set(model.model_fields["data"].annotation.model_fields)
