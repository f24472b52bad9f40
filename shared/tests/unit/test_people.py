"""People and roles: a key issued to a named person, and a token's subject, act as that person."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nwd_shared.auth import Actor, Caller, _actor_of
from nwd_shared.directory import Organisation, load_directory
from nwd_shared.settings import ServiceSettings


@pytest.fixture(scope="module")
def directory():
    return load_directory(ServiceSettings().organisations_file)


def test_a_key_issued_to_a_person_names_them_and_their_roles(directory):
    organisation, credential = directory.credential_for_key("demo-wsx-cara-key")
    person = organisation.person(credential.person)
    assert (organisation.id, person.name, set(person.roles)) == (
        "wsx-council", "Cara Jones", {"customer_relations", "handler"})


def test_an_organisation_key_acts_with_every_role_and_a_person_only_with_theirs(directory):
    organisation = directory.get("wsx-council")
    system = Caller(organisation, "primary", frozenset())
    ana = Caller(organisation, "ana-key", frozenset(), Actor("ana.patel", "Ana Patel", frozenset({"handler"})))
    assert system.has_role("customer_relations") and system.who == "credential:primary"
    assert ana.has_role("handler") and not ana.has_role("customer_relations")
    assert ana.who == "person:ana.patel"


def test_a_tokens_subject_known_to_the_directory_takes_the_directorys_name_and_roles(directory):
    actor = _actor_of(directory.get("wsx-council"), {"sub": "dev.singh"})
    assert (actor.name, actor.roles) == ("Dev Singh", frozenset({"senior_manager"}))


def test_a_tokens_own_roles_are_kept_to_the_known_roles_and_its_subject_is_bounded(directory):
    actor = _actor_of(directory.get("wsx-council"),
                      {"sub": "x" * 500, "name": "Pat", "nwd_roles": ["handler", "root", "admin"]})
    assert actor.roles == frozenset({"handler"}) and len(actor.id) == 64 and actor.name == "Pat"


def test_a_credential_naming_an_unknown_person_is_refused():
    with pytest.raises(ValidationError, match="unknown person"):
        Organisation(id="x", name="X", kind="council", people=[],
                     credentials=[{"id": "k", "key_sha256": "0" * 64, "person": "nobody"}])


def test_two_people_with_one_id_are_refused():
    person = {"id": "a.b", "name": "A B", "roles": ["handler"]}
    with pytest.raises(ValidationError, match="same id"):
        Organisation(id="x", name="X", kind="council", people=[person, person])
