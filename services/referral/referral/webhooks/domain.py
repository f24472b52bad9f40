"""Webhook rules: who hears of an event, the body, Standard Webhooks signing, backoff. No I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from nwd_shared import events as ev

SECRET_PREFIX = "whsec_"
# Every type on the partner feed; a subscription picks some of them.
EVENT_TYPES: frozenset[str] = frozenset({
    "nwd.referral.proposed.v1", "nwd.referral.accepted.v1", "nwd.referral.declined.v1",
    "nwd.referral.escalated.v1", "nwd.ownership.agreed.v1",
    # Triage's safeguarding hand-off, forwarded by referral (consumers.py): the council and the receiver.
    "nwd.safeguarding.referred.v1", "nwd.safeguarding.acknowledged.v1", "nwd.safeguarding.chased.v1",
    "nwd.safeguarding.escalated.v1", "nwd.safeguarding.outcome_recorded.v1",
})


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The webhook-signature header: v1, then HMAC-SHA256 over 'id.timestamp.body' in base64."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def headers(secret: str, message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    timestamp = int(sent_at.timestamp())
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
            "content-type": "application/json"}


def names(event: ev.CloudEvent, organisation_id: str) -> bool:
    """Whether an event concerns an organisation: only those hear of it by webhook."""
    data = event.data
    if isinstance(data, ev.OwnershipAgreedData):
        # The previous owner too: it hears that the contact has moved on from it.
        return organisation_id in {data.owner, data.received_by, *data.contributors, data.previous_owner}
    if isinstance(data, ev.ReferralData):
        return organisation_id in {data.from_organisation, data.to_organisation}
    if isinstance(data, ev.SafeguardingConcernData | ev.SafeguardingReferredData):
        return organisation_id in {data.organisation_id, data.received_by}
    return False


def body_for(event: ev.CloudEvent, organisation_id: str) -> str:
    """The event in CloudEvents JSON form; personal data only for the organisation it is addressed to."""
    data = event.data.model_dump(mode="json")
    if data.get("personal") is not None and data.get("to_organisation") != organisation_id:
        data["personal"] = None
    return json.dumps({
        "specversion": event.specversion, "id": event.id, "source": event.source, "type": event.type,
        "subject": event.subject, "time": event.time.isoformat(), "datacontenttype": "application/json",
        "data": data,
    }, separators=(",", ":"))


def retry_delay(failed_attempts: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """Exponential backoff after the n-th failure: base, 2 x base, 4 x base, ... up to the cap."""
    return timedelta(seconds=min(base_seconds * 2 ** max(failed_attempts - 1, 0), max_seconds))


def next_attempt(*, failed_attempts: int, now: datetime, first_at: datetime, base_seconds: float,
                 max_seconds: float, window: timedelta) -> datetime | None:
    """When to try again; None once the window (at least a day) is over. The last try is at its end."""
    give_up_at = first_at + window
    if now >= give_up_at:
        return None
    return min(now + retry_delay(failed_attempts, base_seconds=base_seconds, max_seconds=max_seconds),
               give_up_at)
