"""Standard Webhooks signing, what each partner is sent, and the retry schedule."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from nwd_shared import events as ev
from referral.webhooks.domain import body_for, headers, names, new_secret, next_attempt, sign


def test_signature_is_hmac_sha256_over_id_timestamp_and_body():
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123").decode()
    signed = hmac.new(b"0123456789abcdef0123", b"msg_1.1700000000.{\"a\":1}", hashlib.sha256).digest()
    assert sign(secret, "msg_1", 1700000000, '{"a":1}') == "v1," + base64.b64encode(signed).decode()


def test_headers_name_the_message_time_and_signature():
    secret = new_secret()
    sent = headers(secret, "d-1", datetime(2026, 12, 1, tzinfo=UTC), "{}")
    assert sent["webhook-id"] == "d-1" and sent["webhook-timestamp"] == "1796083200"
    assert sent["webhook-signature"] == sign(secret, "d-1", 1796083200, "{}")
    assert new_secret() != secret


def proposed(personal=None):
    return ev.ReferralProposed(source="/nwd/referral", subject="NWD-1", data=ev.ReferralData(
        referral_id="r", reference="NWD-1", from_organisation="uhsussex-pals", to_organisation="wsx-council",
        purpose="ownership", personal=personal))


def test_only_the_parties_hear_of_a_referral_and_only_the_addressee_gets_personal_data():
    event = proposed(personal={"complainant": {"name": "Ann"}})
    assert names(event, "wsx-council") and names(event, "uhsussex-pals") and not names(event, "bh-council")
    assert json.loads(body_for(event, "wsx-council"))["data"]["personal"] == {"complainant": {"name": "Ann"}}
    assert json.loads(body_for(event, "uhsussex-pals"))["data"]["personal"] is None


def test_retries_back_off_exponentially_for_at_least_a_day_then_stop():
    first = datetime(2026, 12, 1, tzinfo=UTC)
    window, now, failures, waits = timedelta(hours=24), first, 0, []
    while True:
        failures += 1
        retry = next_attempt(failed_attempts=failures, now=now, first_at=first, base_seconds=5,
                             max_seconds=6 * 3600, window=window)
        if retry is None:
            break
        waits.append(retry - now)
        now = retry
    assert waits[:4] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert now - first >= window and max(waits) <= timedelta(hours=6)
