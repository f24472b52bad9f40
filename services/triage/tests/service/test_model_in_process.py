"""The safeguarding model in the running service, in-process (no broker): scored a batch at a time,
shown with each decision, and possible safeguarding confirmed or cleared by a person."""

from __future__ import annotations

from nwd_shared import events as ev
from nwd_shared.testing import (
    NO_BROKER,
    bearer,
    contact_received,
    deliver,
    in_process,
    service_client,
    staged,
)
from triage.config import Settings
from triage.domain import contact_text
from triage.main import create_app
from triage.semantic.model import Assessment, Neighbour, SafeguardingModel

triage = in_process(create_app, Settings)
COUNCIL = bearer("demo-wsx-council-key")


class Spy:
    """The runtime's own model, counting the calls and the texts each scored."""

    def __init__(self, model: SafeguardingModel) -> None:
        self.model, self.calls = model, []

    def assess(self, texts: list[str]) -> list[Assessment]:
        self.calls.append(list(texts))
        return self.model.assess(texts)


class Possible:
    """A stand-in model that finds every contact possibly neglect."""

    def assess(self, texts: list[str]) -> list[Assessment]:
        return [Assessment(0.41, "possible", "neglect", (Neighbour("lgsco-21-001-3", 0.8, True, ("neglect",)),))
                for _ in texts]


def test_the_model_is_loaded_once_at_start_up_and_held_by_the_runtime(triage):
    model = triage.runtime.safeguarding_model
    assert isinstance(model, SafeguardingModel)
    assert "_arrays" in model.__dict__ and "vectors" in model.encoder.__dict__  # loaded, not on first use


async def test_a_consumer_batch_is_scored_in_one_call_and_each_decision_keeps_the_models_view(triage, monkeypatch):
    spy = Spy(triage.runtime.safeguarding_model)
    monkeypatch.setattr(triage.runtime, "safeguarding_model", spy)
    contacts = [contact_received(description=d) for d in (
        "The night staff shout at her and there are marks on her arm.",
        "The heating's off and he hasn't eaten properly for days.",
        "The council has charged us twice for the same week of care.")]
    await deliver(triage, *contacts, contacts[0])  # a duplicate in the batch is neither scored nor decided twice
    assert spy.calls == [[contact_text(c.data) for c in contacts]]
    expected = spy.model.assess([contact_text(c.data) for c in contacts])
    for contact, assessment in zip(contacts, expected, strict=True):
        view = (await triage.get(f"/v1/triage/{contact.subject}", headers=COUNCIL)).json()
        model = view["safeguarding_model"]
        assert model["probability"] == assessment.probability and model["level"] == assessment.level
        assert [n["id"] for n in model["nearest"]] == [n.id for n in assessment.nearest] and model["nearest"]
        assert set(model["nearest"][0]) == {"id", "similarity", "safeguarding", "categories"}
        [(_, completed)] = [e for e in await staged(triage, contact.subject) if e[0] == "nwd.triage.completed.v1"]
        assert completed["safeguarding_probability"] == assessment.probability
        assert completed["possible_safeguarding"] == view["possible_safeguarding"]
        assert "nearest" not in completed  # the event carries only the non-personal figures


async def test_possible_safeguarding_is_queued_referred_provisionally_and_confirmed_or_cleared(triage, monkeypatch):
    monkeypatch.setattr(triage.runtime, "safeguarding_model", Possible())
    confirm, clear = (contact_received(description="I am worried about my neighbour, he hardly goes out now.")
                      for _ in range(2))
    await deliver(triage, confirm, clear)
    queue = (await triage.get("/v1/triage", params={"needs_review": "true", "limit": 200}, headers=COUNCIL)).json()
    held = {i["reference"]: i for i in queue["items"] if i["reference"] in (confirm.subject, clear.subject)}
    assert set(held) == {confirm.subject, clear.subject}
    for item in held.values():
        assert item["possible_safeguarding"] and item["route"] == "safeguarding"
        assert item["safeguarding_categories"] == ["neglect"] and item["safeguarding_referred_to"] == "wsx-council"
        assert item["reasons"][0].startswith("Possible safeguarding: the model's probability 0.41 suggests neglect")
    types = [t for t, _ in await staged(triage, clear.subject)]
    assert types[:2] == ["nwd.safeguarding.referred.v1", "nwd.triage.completed.v1"]  # provisionally, at once
    completed = dict(await staged(triage, clear.subject))["nwd.triage.completed.v1"]
    assert completed["possible_safeguarding"] and completed["suspected_category"] == "neglect"

    confirmed = await triage.post(f"/v1/triage/{confirm.subject}/decision", headers=COUNCIL, json={
        "route": "safeguarding", "reason": "Spoke to him: he has not eaten for days"})
    cleared = await triage.post(f"/v1/triage/{clear.subject}/decision", headers=COUNCIL, json={
        "route": "complaint", "reason": "He is away on holiday; nothing wrong"})
    assert confirmed.status_code == cleared.status_code == 200
    confirmed, cleared = confirmed.json(), cleared.json()
    assert not confirmed["possible_safeguarding"] and not confirmed["needs_review"]
    assert confirmed["route"] == "safeguarding" and confirmed["safeguarding_categories"] == ["neglect"]
    assert confirmed["reasons"][-1].startswith("Possible safeguarding confirmed by wsx-council")
    assert not cleared["possible_safeguarding"] and not cleared["needs_review"]
    assert cleared["route"] == "complaint" and cleared["safeguarding_categories"] == []
    assert cleared["reasons"][-1].startswith("Possible safeguarding cleared by wsx-council")
    overridden = dict(await staged(triage, clear.subject))["nwd.triage.overridden.v1"]
    assert overridden["previous_route"] == "safeguarding" and not overridden["possible_safeguarding"]
    assert overridden["route"] not in ev.SAFEGUARDING_ROUTES
    queue = (await triage.get("/v1/triage", params={"needs_review": "true", "limit": 200}, headers=COUNCIL)).json()
    assert not {confirm.subject, clear.subject} & {i["reference"] for i in queue["items"]}


async def test_with_the_model_off_triage_is_the_rules_alone(tmp_path):
    async with service_client(create_app, Settings, "sqlite", NO_BROKER, tmp_path,
                              triage_model_enabled=False) as client:
        assert client.runtime.safeguarding_model is None
        contact = contact_received(description="The council has charged us twice for the same week of care.")
        await deliver(client, contact)
        view = (await client.get(f"/v1/triage/{contact.subject}", headers=COUNCIL)).json()
        assert view["safeguarding_model"] is None and not view["possible_safeguarding"]
