"""Learning's audit trail over HTTP: reads and corrections of a complaint's subjects, for its owner."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from learning.config import Settings
from learning.main import create_app
from nwd_shared import events as ev
from nwd_shared.testing import bearer, deliver, in_process, new_reference

learning = in_process(create_app, Settings)

ICB = bearer("demo-sussex-icb-key")        # the owner (its own key: every role)
STRANGER = bearer("demo-bh-council-key")
DAY = date(2026, 3, 4)


async def owned_by_the_icb(learning) -> str:
    reference = new_reference()
    await deliver(learning, ev.CaseOpened(
        source="/nwd/casework", subject=reference, time=datetime.combine(DAY, time(12), tzinfo=UTC),
        data=ev.CaseOpenedData(case_id="c-" + reference, reference=reference, owner="sussex-icb",
                               received_on=DAY, deadlines=ev.Deadlines(acknowledge_by=DAY, six_months_by=DAY))))
    return reference


async def test_reads_and_corrections_of_the_subjects_are_in_the_owners_trail(learning):
    reference = await owned_by_the_icb(learning)
    assert (await learning.get(f"/v1/subjects/{reference}", headers=ICB)).status_code == 200
    corrected = await learning.put(f"/v1/subjects/{reference}", headers=ICB,
                                   json={"subjects": ["communications"], "reason": "the letter was the issue"})
    assert corrected.status_code == 200, corrected.text
    answer = await learning.get(f"/v1/subjects/{reference}/audit", headers=ICB)
    assert answer.status_code == 200, answer.text
    assert [(e["organisation_id"], e["action"], e["resource"]) for e in answer.json()] == [
        ("sussex-icb", "read", "complaint.subjects"), ("sussex-icb", "update", "complaint.subjects")]


async def test_a_refused_read_is_not_recorded_and_others_cannot_read_the_trail(learning):
    reference = await owned_by_the_icb(learning)
    assert (await learning.get(f"/v1/subjects/{reference}", headers=STRANGER)).status_code == 404
    assert (await learning.get(f"/v1/subjects/{reference}/audit", headers=STRANGER)).status_code == 404
    assert (await learning.get(f"/v1/subjects/{reference}/audit", headers=ICB)).json() == []
    assert (await learning.delete(f"/v1/subjects/{reference}/audit", headers=ICB)).status_code == 405
