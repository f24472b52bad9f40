"""The partner-facing AsyncAPI 3 document of every topic and event type, generated from the catalogue.

`make asyncapi` writes docs/asyncapi.yaml; a test checks the file is current and valid.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from nwd_shared.events.catalogue import EVENT_TYPES, PRODUCERS, producer_of, type_name
from nwd_shared.events.common import TOPICS, dead_letter_topic
from nwd_shared.events.envelope import CONTENT_TYPE, SPECVERSION, CloudEvent

VERSION = "1.0.0"
_REF = "#/components/schemas/{model}"

# CloudEvents binary content mode over Kafka: attributes travel as ce_* headers, data as the value.
_CE_HEADERS: dict[str, dict[str, Any]] = {
    "ce_id": {"type": "string", "description": "Unique per event: consumers deduplicate on source and id."},
    "ce_source": {"type": "string", "description": "The producing service, e.g. /nwd/intake."},
    "ce_type": {"type": "string", "description": "The event type, e.g. nwd.contact.received.v1."},
    "ce_specversion": {"type": "string", "const": SPECVERSION},
    "ce_time": {"type": "string", "format": "date-time"},
    "ce_subject": {"type": "string", "description": "The contact reference; also the record key."},
    "content-type": {"type": "string", "const": CONTENT_TYPE},
    "traceparent": {"type": "string", "description": "W3C trace context, when the producer traces."},
}
_DLT_HEADERS: dict[str, dict[str, Any]] = {
    "nwd_dlt_original_topic": {"type": "string"},
    "nwd_dlt_original_partition": {"type": "string"},
    "nwd_dlt_original_offset": {"type": "string"},
    "nwd_dlt_consumer": {"type": "string", "description": "The consumer that gave up on the record."},
    "nwd_dlt_error": {"type": "string", "description": "Why, without the record's values."},
}


def _message_name(model: type[CloudEvent]) -> str:
    return model.__name__


def _headers(model: type[CloudEvent]) -> dict[str, Any]:
    properties = dict(_CE_HEADERS)
    properties["ce_type"] = {**properties["ce_type"], "const": type_name(model)}
    required = ["ce_id", "ce_source", "ce_type", "ce_specversion", "ce_subject"]
    return {"type": "object", "properties": properties, "required": required}


def _data_schemas() -> tuple[dict[type, dict], dict[str, Any]]:
    """Each event's data schema as a reference, and every schema they use, by name."""
    models = [(model.model_fields["data"].annotation, "serialization") for model in EVENT_TYPES]
    refs, top = models_json_schema(models, ref_template=_REF)
    return {model: ref for (model, _), ref in refs.items()}, top.get("$defs", {})


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document: one channel per topic and dead-letter topic, one message per type."""
    data_refs, schemas = _data_schemas()
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in TOPICS:
        on_topic = [model for model in EVENT_TYPES if model.topic == topic]
        producer = producer_of(on_topic[0])
        channel_id = topic.replace(".", "_")
        channels[channel_id] = {
            "address": topic,
            "title": topic,
            "description": f"Published by {producer}. Record key: the contact reference, so one "
                           f"contact's events are read in order.",
            "messages": {_message_name(m): {"$ref": f"#/components/messages/{_message_name(m)}"}
                         for m in on_topic},
        }
        operations[f"{producer}_publishes_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"{producer} publishes these events; partners subscribe to read them.",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{_message_name(m)}"}
                         for m in on_topic],
        }
        dlt_id = f"{channel_id}_dlt"
        channels[dlt_id] = {
            "address": dead_letter_topic(topic),
            "title": dead_letter_topic(topic),
            "description": f"Records of {topic} a consumer could not handle after bounded retries, "
                           "unchanged, with where they came from and why in headers.",
            "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
        }
        operations[f"consumers_dead_letter_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{dlt_id}"},
            "summary": "A consumer sets a record aside and moves on.",
            "messages": [{"$ref": f"#/channels/{dlt_id}/messages/DeadLetter"}],
        }
    for model in EVENT_TYPES:
        messages[_message_name(model)] = {
            "name": type_name(model),
            "title": type_name(model),
            "summary": (model.__doc__ or "").strip(),
            "contentType": CONTENT_TYPE,
            "headers": _headers(model),
            "payload": data_refs[model.model_fields["data"].annotation],
            "bindings": {"kafka": {"key": {"type": "string", "description": "The contact reference."},
                                   "bindingVersion": "0.5.0"}},
        }
    messages["DeadLetter"] = {
        "name": "dead-letter",
        "title": "A record set aside",
        "summary": "The original record's headers and value, plus the dead-letter headers.",
        "headers": {"type": "object", "properties": {**_CE_HEADERS, **_DLT_HEADERS},
                    "required": list(_DLT_HEADERS)},
        "payload": {"description": "The original record's value, unchanged (it may not be JSON)."},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "No Wrong Door events",
            "version": VERSION,
            "description": "The v1 event feed (docs/contract.md): CloudEvents 1.0 in the Kafka "
                           "protocol binding's binary content mode. Fields may be added within v1; "
                           "readers ignore what they do not know. Generated from the catalogue: "
                           "`make asyncapi`.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"kafka": {"host": "kafka:9092", "protocol": "kafka",
                              "description": "Apache Kafka in production; Tansu in the embedded stack."}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
        "x-producers": {name: sorted(type_name(m) for m in module.EVENTS)
                        for name, module in PRODUCERS.items()},
    }


def render() -> str:
    """The document as YAML, in a stable order."""
    return yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str]) -> None:
    """Write the document to the path given (default docs/asyncapi.yaml)."""
    path = Path(argv[0] if argv else "docs/asyncapi.yaml")
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
