"""Personal data reaches the partner feed only with the complainant's consent to share."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from nwd_shared.testing import eventually

from ..conftest import BROKER_WAIT

PERSON = dict(name="Zelda Quinlan-Marsh", email="zelda.qm@example.org", phone="07700 900123",
              description="My father fell twice at Sunnyside and nobody told us for three days.")


async def records_of(bootstrap: str, references: set[str]) -> list[tuple[str, bytes, list]]:
    """Every record on nwd.referrals for these contacts: (key, value, headers), read from the start."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition("nwd.referrals", p) for p in consumer.partitions_for_topic("nwd.referrals")]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                found += [(r.key.decode(), r.value, r.headers) for r in batch if r.key.decode() in references]
        return found
    finally:
        await consumer.stop()


async def published(driver, references: set[str]) -> int:
    """Wait until the relay has published everything referral staged for these contacts."""
    outbox = driver.runtime.tables.outbox

    async def done():
        async with driver.runtime.engine.connect() as connection:
            rows = (await connection.execute(outbox.select().where(outbox.c.key.in_(references)))).all()
        return len(rows) if rows and all(r.published_at is not None for r in rows) else None

    return await eventually(done, timeout=BROKER_WAIT)


async def flows(driver, *, consent: bool) -> set[str]:
    """One contact down each path: ownership, decline and next, joint, PALS and advocacy."""
    person = {**PERSON, "consent": consent, "wants_advocacy": True}
    single = await driver.contact(received_by="uhsussex-pals", responsible=["wsx-council"],
                                  concerns=[{"organisation_id": "wsx-council", "summary": "Zelda's father"}], **person)
    await driver.answer(await driver.pending(single, "wsx-council"), "decline",
                        {"reason": "Privately arranged", "suggested_organisation_id": "downs-care"})
    await driver.answer(await driver.pending(single, "downs-care"), "accept")
    joint = await driver.contact(received_by="wsx-council", responsible=["uhsussex", "wsx-council"],
                                 concerns=[{"organisation_id": "uhsussex"}, {"organisation_id": "wsx-council"}],
                                 **person)
    await driver.answer(await driver.pending(joint, "uhsussex"), "accept")
    pals = await driver.contact(received_by="wsx-council", route="pals", responsible=["uhsussex"],
                                concerns=[{"organisation_id": "uhsussex"}], **person)
    await driver.answer(await driver.pending(pals, "uhsussex-pals"), "return", {"reason": "Needs investigating"})
    await driver.answer(await driver.pending(pals, "uhsussex"), "accept")
    for reference in (single, joint, pals):
        await driver.wait_for(reference, "nwd.ownership.agreed.v1")
    return {single, joint, pals}


async def test_without_consent_no_referral_event_carries_personal_data(driver, broker):
    references = await flows(driver, consent=False)
    expected = await published(driver, references)
    records = await records_of(broker.bootstrap_servers, references)
    assert len(records) == expected and expected >= 12
    kinds = {dict(headers)["ce_type"].decode() for _, _, headers in records}
    assert {"nwd.referral.proposed.v1", "nwd.referral.declined.v1", "nwd.referral.accepted.v1",
            "nwd.ownership.agreed.v1"} <= kinds
    for _, value, _ in records:
        text = value.decode()
        for secret in (*PERSON.values(), "Zelda", "07700"):
            assert secret not in text, f"{secret!r} leaked into {text}"


async def test_with_consent_the_addressed_partner_gets_the_details_in_the_proposal(driver, broker):
    references = await flows(driver, consent=True)
    await published(driver, references)
    records = await records_of(broker.bootstrap_servers, references)
    proposals = [value.decode() for _, value, headers in records
                 if dict(headers)["ce_type"] == b"nwd.referral.proposed.v1"]
    assert proposals and all(PERSON["name"] in p and PERSON["description"] in p for p in proposals)
    others = [value.decode() for _, value, headers in records
              if dict(headers)["ce_type"] != b"nwd.referral.proposed.v1"]
    assert others and not any(PERSON["name"] in o for o in others)
