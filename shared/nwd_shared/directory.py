"""The organisation directory (contract.md): who exists, what each answers for, and their keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

OrganisationKind = Literal[
    "nhs_trust", "icb", "gp_practice", "council", "care_provider",
    "pals", "advocacy", "ombudsman", "healthwatch",
]
RESPONSIBLE_KINDS = frozenset({"nhs_trust", "icb", "gp_practice", "council", "care_provider"})


def hash_key(api_key: str) -> str:
    """The SHA-256 hex digest under which an API key is stored and compared."""
    return hashlib.sha256(api_key.encode()).hexdigest()


class Policy(BaseModel):
    """Local policies, configurable per organisation; the defaults are domain.md's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Individual Complaints Action Plan: within 5 working days of the acknowledgement (seed 003).
    action_plan_working_days: int = Field(default=5, ge=1, le=60)
    # Response target: 20 working days unless the plan states why it needs longer (seed 003).
    response_working_days: int = Field(default=20, ge=1, le=120)
    # An unanswered referral escalates after this many working days.
    referral_timeout_working_days: int = Field(default=2, ge=1, le=20)
    # The addressed organisation is reminded this many working days before that (0: no reminder).
    referral_reminder_working_days: int = Field(default=1, ge=0, le=20)
    # The council's safeguarding team acknowledges a concern this many working days after the contact
    # was received (safeguarding first, seed 003 §3.1: the person's wait counts from then); past it, chased.
    safeguarding_acknowledgement_working_days: int = Field(default=1, ge=1, le=10)
    # A concern still unacknowledged this many working days after it was due is escalated.
    safeguarding_escalation_working_days: int = Field(default=1, ge=1, le=10)
    # Warn this many working days before a deadline.
    deadline_warning_working_days: int = Field(default=2, ge=0, le=20)


Scope = Literal[
    "contacts:write", "contacts:read", "triage:write", "referrals:write", "referrals:respond",
    "cases:write", "reports:read", "subscriptions:write", "customer-relations",
]
ALL_SCOPES: tuple[str, ...] = get_args(Scope)


# Roles within an organisation (issue 15): a handler works cases; customer relations (the
# complaints manager) assigns them and manages the procedure; a senior manager reviews and signs
# final responses (seed 003 §2.9); reports-only staff read figures and no personal data.
Role = Literal["handler", "customer_relations", "senior_manager", "reports_only"]
ALL_ROLES: tuple[str, ...] = get_args(Role)


class Person(BaseModel):
    """A named member of an organisation's staff: who acts, with which roles, in which team."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9._-]+$", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    team: str | None = Field(default=None, pattern=r"^[a-z0-9-]+$", max_length=64)
    roles: list[Role] = Field(min_length=1)


class Credential(BaseModel):
    """One API key of an organisation (several allow rotation), stored only as its hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$", max_length=64)
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", repr=False)
    scopes: list[Scope] = list(ALL_SCOPES)
    expires_at: datetime | None = None
    # The person the key was issued to: their changes are recorded as theirs, with their roles.
    person: str | None = Field(default=None, max_length=64)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


class Organisation(BaseModel):
    """One organisation: a responsible body or a referral partner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    responsible_for: list[Literal["health", "social_care"]] = []
    areas: list[str] = []
    serves: str | None = None
    api_key: str | None = Field(default=None, min_length=8, repr=False)
    api_key_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$", repr=False)
    credentials: list[Credential] = []
    people: list[Person] = []
    policy: Policy = Policy()

    @model_validator(mode="after")
    def _check(self) -> Organisation:
        if self.api_key and self.api_key_sha256:
            raise ValueError("give api_key or api_key_sha256, not both")
        if self.serves is not None and self.kind != "pals":
            raise ValueError("only a pals organisation serves a trust")
        if self.kind in {"pals", "advocacy"} and self.responsible_for:
            raise ValueError(f"a {self.kind} organisation is responsible for nothing")
        people = [p.id for p in self.people]
        if len(people) != len(set(people)):
            raise ValueError("two people with the same id")
        for credential in self.credentials:
            if credential.person is not None and credential.person not in people:
                raise ValueError(f"credential {credential.id} names unknown person {credential.person!r}")
        return self

    def person(self, person_id: str) -> Person | None:
        """A member of staff by id."""
        return next((p for p in self.people if p.id == person_id), None)

    @property
    def teams(self) -> list[str]:
        """The teams its staff belong to, in the order first named."""
        return list(dict.fromkeys(p.team for p in self.people if p.team))

    @property
    def is_responsible_body(self) -> bool:
        """Only responsible bodies ever own a first-tier complaint."""
        return self.kind in RESPONSIBLE_KINDS

    @property
    def key_hash(self) -> str | None:
        if self.api_key_sha256:
            return self.api_key_sha256
        return hash_key(self.api_key) if self.api_key else None

    def all_credentials(self) -> list[Credential]:
        """Its credentials; a single `api_key`/`api_key_sha256` is one called `primary` with every scope."""
        single = [Credential(id="primary", key_sha256=self.key_hash)] if self.key_hash else []
        return single + list(self.credentials)


class Directory(BaseModel):
    """All organisations, validated as a whole."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    organisations: list[Organisation] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Directory:
        ids = [o.id for o in self.organisations]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate organisation ids: {', '.join(duplicates)}")
        by_id = {o.id: o for o in self.organisations}
        for org in self.organisations:
            if org.serves is not None and by_id.get(org.serves, None) is None:
                raise ValueError(f"{org.id} serves unknown organisation {org.serves!r}")
        hashes = [c.key_sha256 for o in self.organisations for c in o.all_credentials()]
        if len(hashes) != len(set(hashes)):
            raise ValueError("two organisations share an API key")
        for org in self.organisations:
            ids = [c.id for c in org.all_credentials()]
            if len(ids) != len(set(ids)):
                raise ValueError(f"{org.id} has two credentials with the same id")
        return self

    @cached_property
    def by_id(self) -> dict[str, Organisation]:
        return {o.id: o for o in self.organisations}

    @cached_property
    def by_key_hash(self) -> dict[str, tuple[Organisation, Credential]]:
        return {c.key_sha256: (o, c) for o in self.organisations for c in o.all_credentials()}

    def get(self, organisation_id: str) -> Organisation | None:
        return self.by_id.get(organisation_id)

    def credential_for_key(self, api_key: str) -> tuple[Organisation, Credential] | None:
        """The organisation and credential an API key belongs to, compared by hash."""
        return self.by_key_hash.get(hash_key(api_key))

    def organisation_for_key(self, api_key: str) -> Organisation | None:
        """The organisation an API key belongs to, compared by hash."""
        found = self.credential_for_key(api_key)
        return found[0] if found else None

    def responsible_for(self, service_type: str, area: str) -> list[Organisation]:
        """Responsible bodies for a service type in an area, in directory order."""
        return [
            o for o in self.organisations
            if o.is_responsible_body and service_type in o.responsible_for and area in o.areas
        ]

    def pals_of(self, trust_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.kind == "pals" and o.serves == trust_id), None)

    def policy_of(self, organisation_id: str) -> Policy:
        """An organisation's local policy; the defaults if it has left the directory."""
        organisation = self.get(organisation_id)
        return organisation.policy if organisation else Policy()

    def receiving_body(self, received_by: str) -> str:
        """The body a contact was received by: a PALS is part of the trust it serves (reg 13(3))."""
        organisation = self.get(received_by)
        if organisation is not None and organisation.kind == "pals" and organisation.serves:
            return organisation.serves
        return received_by

    def services_of(self, organisation_ids: Iterable[str]) -> set[str]:
        """The services (health, social care) a set of responsible bodies answer for."""
        return {s for o in organisation_ids if (org := self.get(o)) for s in org.responsible_for}

    def ombudsmen_for(self, organisation_ids: Iterable[str]) -> list[Organisation]:
        """The ombudsmen for the bodies' services: PHSO for health, LGSCO for social care, both if both."""
        services = self.services_of(organisation_ids)
        chosen: list[Organisation] = []
        for service_type in ("health", "social_care"):
            found = next((o for o in self.organisations
                          if o.kind == "ombudsman" and service_type in o.responsible_for), None)
            if service_type in services and found is not None and found not in chosen:
                chosen.append(found)
        return chosen


class DirectoryError(RuntimeError):
    """The organisation directory file cannot be used; the message says where and why."""


def load_directory(path: Path | str) -> Directory:
    """Read and validate a directory file, failing with a message a person can act on."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DirectoryError(f"organisation directory {path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise DirectoryError(f"organisation directory {path}: not valid YAML: {exc}") from exc
    try:
        return Directory.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise DirectoryError(f"organisation directory {path}: {problems}") from exc
