"""Authentication: `Authorization: Bearer <API key or JWT>` names the calling organisation."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nwd_shared.directory import ALL_ROLES, ALL_SCOPES, Directory, Organisation
from nwd_shared.http import Problem

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False, description="An organisation's API key or access token")


# Claims an identity provider's access token carries for a person (contract.md, Identity).
NAME_CLAIM, ROLES_CLAIM = "name", "nwd_roles"
_MAX_SUBJECT = 64
# The scope of every read of a person's data (docs/security.md, Scopes for personal data).
PERSONAL_DATA_SCOPE = "contacts:read"
# How far a token's exp, nbf and iat may be from this machine's clock.
JWT_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Actor:
    """The person acting: the token's subject, or the member of staff a key was issued to."""

    id: str
    name: str | None
    roles: frozenset[str]
    team: str | None = None


@dataclass(frozen=True)
class Caller:
    """Who is calling: the organisation, which of its credentials, the person, and what they may do."""

    organisation: Organisation
    credential_id: str
    scopes: frozenset[str]
    # None for an organisation's own key (a system integration): it acts with every role.
    actor: Actor | None = None

    def has_role(self, role: str) -> bool:
        return self.actor is None or role in self.actor.roles

    @property
    def who(self) -> str:
        """How records name the one who acted: the person, else the credential."""
        return f"person:{self.actor.id}" if self.actor else f"credential:{self.credential_id}"


def _bounded(value: object, limit: int) -> str:
    """A claim as text fit for a record: printable characters only, at most `limit` of them."""
    return "".join(c for c in str(value) if c.isprintable())[:limit]


def _actor_of(organisation: Organisation, claims: dict) -> Actor:
    """The person a token speaks for: the directory's record of them, else the token's own claims."""
    # Bounded before it names anyone: it reaches the audit trail (credential `jwt:<subject>`) and logs.
    subject = _bounded(claims.get("sub") or claims.get("client_id") or "?", _MAX_SUBJECT) or "?"
    known = organisation.person(subject)
    roles = claims.get(ROLES_CLAIM)
    roles = roles.split() if isinstance(roles, str) else roles if isinstance(roles, list) else []
    granted = frozenset(str(r) for r in roles) & frozenset(ALL_ROLES)
    if known is not None:
        return Actor(known.id, known.name, granted or frozenset(known.roles), known.team)
    name = claims.get(NAME_CLAIM)
    return Actor(subject, _bounded(name, 200) or None if name else None, granted)


class Unauthorized(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(401, detail, headers={"WWW-Authenticate": "Bearer"})


class RateLimiter:
    """Token buckets by key (a credential, or a client address): `per_minute`, refilled continuously.

    At most `max_entries` buckets are held: the least recently used goes first, and a bucket idle
    long enough to be full again is dropped (a new one is the same), so a flood of keys never grows
    memory without bound.
    """

    def __init__(self, per_minute: int, max_entries: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_entries = max_entries
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: str, now: float) -> float:
        tokens, updated = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + max(0.0, now - updated) * self.rate)

    def waiting(self, key: str) -> float | None:
        """Seconds until `key` could go ahead, without spending anything; None if it may now."""
        tokens = self._tokens(key, time.monotonic())
        return None if tokens >= 1 else (1 - tokens) / self.rate

    def retry_after(self, key: str) -> float | None:
        """Spend one for `key`: None if the request may go ahead, else seconds until it could."""
        now = time.monotonic()
        tokens = self._tokens(key, now)
        wait = None if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1 if wait is None else tokens, now)
        self._buckets.move_to_end(key)
        self._evict(now)
        return wait

    def _evict(self, now: float) -> None:
        refill = self.capacity / self.rate if self.rate else float("inf")
        while self._buckets:
            oldest, (_, updated) = next(iter(self._buckets.items()))
            if len(self._buckets) <= self.max_entries and now - updated < refill:
                break
            del self._buckets[oldest]


@dataclass
class Limits:
    """The limits a service applies: per credential, and failed authentications per client address."""

    per_credential: RateLimiter
    failures: RateLimiter

    @classmethod
    def of(cls, settings) -> Limits:
        return cls(RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_max_entries),
                   RateLimiter(settings.auth_failures_per_minute, settings.rate_limit_max_entries))


class JwksVerifier:
    """Verifies identity-provider access tokens against its JWKS, refetched when keys rotate.

    A token naming a key it does not know asks for the JWKS again, but one fetch at a time (the
    others wait for it) and at most one every `min_refresh_seconds`, so tokens with made-up `kid`s
    cannot make it hammer the identity provider. A failed fetch keeps the keys it had.
    """

    def __init__(self, url: str, *, issuer: str | None, audience: str | None, claim: str,
                 max_age_seconds: float = 300.0, min_refresh_seconds: float = 60.0,
                 leeway_seconds: float = JWT_LEEWAY_SECONDS) -> None:
        if not issuer or not audience:
            raise ValueError("NWD_JWKS_URL needs NWD_JWT_ISSUER and NWD_JWT_AUDIENCE: a token from any "
                             "issuer, or for any audience, would otherwise be accepted")
        self.url, self.issuer, self.audience, self.claim = url, issuer, audience, claim
        self.max_age, self.min_refresh, self.leeway = max_age_seconds, min_refresh_seconds, leeway_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = 0.0  # when the keys were last fetched
        self._tried: float | None = None  # when a fetch was last tried, whatever came of it
        self._fetching = asyncio.Lock()
        self.fetches = 0

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values()), None)
        return self._keys.get(kid)

    async def _refresh(self, tried_before: float | None) -> None:
        """Fetch the JWKS unless one was tried within the minimum interval (or while waiting)."""
        async with self._fetching:
            if self._tried != tried_before:
                return  # another request fetched (or tried) while this one waited: use what it got
            if self._tried is not None and time.monotonic() - self._tried < self.min_refresh:
                return
            self._tried = time.monotonic()
            self.fetches += 1
            try:
                async with httpx.AsyncClient(timeout=5, follow_redirects=False) as client:
                    response = await client.get(self.url)
                    response.raise_for_status()
                keys = {}
                for key in jwt.PyJWKSet.from_dict(response.json()).keys:
                    keys.setdefault(key.key_id, key)
            except (httpx.HTTPError, ValueError, jwt.PyJWKError, jwt.PyJWKSetError) as exc:
                # The last good keys keep working; the next try waits out the minimum interval.
                log.warning("identity provider keys not refreshed (%s); keeping %d known", type(exc).__name__,
                            len(self._keys))
                return
            self._keys, self._fetched = keys, time.monotonic()

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        if not self._keys or time.monotonic() - self._fetched > self.max_age:
            await self._refresh(self._tried)
        key = self._find(kid)
        if key is None:
            await self._refresh(self._tried)
            key = self._find(kid)
        if key is None:
            raise jwt.InvalidTokenError("no signing key for the token's kid")
        return key

    async def verify(self, token: str) -> dict:
        """The token's claims, or InvalidTokenError."""
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        key = await self._key(str(kid)[:128] if kid is not None else None)
        return jwt.decode(token, key=key, algorithms=["RS256", "ES256", "PS256"], audience=self.audience,
                          issuer=self.issuer, leeway=self.leeway, options={"require": ["exp", "iat"]})


def directory_of(request: Request) -> Directory:
    """The organisation directory loaded at start."""
    return request.app.state.runtime.directory


async def _caller_from_token(request: Request, token: str) -> Caller:
    verifier: JwksVerifier | None = request.app.state.runtime.jwks
    if verifier is not None and token.count(".") == 2:
        try:
            claims = await verifier.verify(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"the access token is not valid: {type(exc).__name__}") from None
        organisation = directory_of(request).get(str(claims.get(verifier.claim, "")))
        if organisation is None:
            raise Unauthorized(f"the token's {verifier.claim} names no known organisation")
        scopes = frozenset(str(claims.get("scope", "")).split()) & frozenset(ALL_SCOPES)
        actor = _actor_of(organisation, claims)
        return Caller(organisation, f"jwt:{actor.id}", scopes, actor)
    found = directory_of(request).credential_for_key(token)
    if found is None:
        raise Unauthorized("the API key is not valid")
    organisation, credential = found
    if credential.expired(datetime.now(UTC)):
        raise Unauthorized("the API key has expired")
    person = organisation.person(credential.person) if credential.person else None
    actor = Actor(person.id, person.name, frozenset(person.roles), person.team) if person else None
    return Caller(organisation, credential.id, frozenset(credential.scopes), actor)


def _limits(request: Request) -> Limits | None:
    limits = request.app.state.runtime.rate_limiter
    if isinstance(limits, RateLimiter):  # a runtime built with the per-credential limit alone
        return Limits(limits, RateLimiter(10**9))
    return limits


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Organisation:
    """The organisation the request's bearer token belongs to; 401 otherwise, 429 when too fast.

    Failed authentications are counted per client address before any token is looked at: an
    address over its allowance gets 429 without its key being checked or a JWKS being fetched.
    """
    limits = _limits(request)
    address = request.client.host if request.client else "?"
    if limits is not None and (wait := limits.failures.waiting(address)) is not None:
        raise Problem(429, "too many failed authentications from this address; slow down",
                      headers={"Retry-After": str(max(1, round(wait)))})
    try:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("an API key is required: Authorization: Bearer <key>")
        caller = await _caller_from_token(request, credentials.credentials)
    except Unauthorized:
        if limits is not None:
            limits.failures.retry_after(address)
        raise
    if limits is not None:
        wait = limits.per_credential.retry_after(f"{caller.organisation.id}/{caller.credential_id}")
        if wait is not None:
            raise Problem(429, "too many requests for this credential; slow down",
                          headers={"Retry-After": str(max(1, round(wait)))})
    request.state.caller = caller
    request.state.organisation_id = caller.organisation.id
    return caller.organisation


def caller_of(request: Request) -> Caller:
    """The authenticated caller (after `authenticate` ran for the request)."""
    return request.state.caller


def personal_data_refusal(caller: Caller) -> str | None:
    """Why this caller may not read a person's data, or None: it needs `contacts:read`, and a person
    acting needs a role that handles complaints (one with only `reports_only` sees figures only)."""
    if PERSONAL_DATA_SCOPE not in caller.scopes:
        return f"this credential lacks the scope {PERSONAL_DATA_SCOPE}"
    if caller.actor is not None and set(caller.actor.roles) <= {"reports_only"}:
        return "reading a person's data needs a role that handles complaints"
    return None


def check_personal_data(request: Request) -> None:
    """403 unless the authenticated caller may read personal data (for a read that is one only
    with some parameters, e.g. casework's `GET /v1/cases?reference=`)."""
    refusal = personal_data_refusal(caller_of(request))
    if refusal is not None:
        raise Problem(403, refusal)


def require_scope(scope: str):
    """A dependency: the caller's credential must carry `scope` (403 otherwise).

    `contacts:read` marks a read of personal data: a person whose only role is `reports_only` is
    refused it too, whatever their credential's scopes.
    """
    if scope not in ALL_SCOPES:
        raise ValueError(f"unknown scope {scope}")

    async def check(request: Request, _: Annotated[Organisation, Depends(authenticate)]) -> None:
        if scope == PERSONAL_DATA_SCOPE:
            check_personal_data(request)
        elif scope not in caller_of(request).scopes:
            raise Problem(403, f"this credential lacks the scope {scope}")

    check.scope = scope  # so a test can list which scope each route asks for
    return Depends(check)


def require_role(role: str):
    """A dependency: the person acting must hold `role` in their organisation (403 otherwise)."""
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role}")

    async def check(request: Request, _: Annotated[Organisation, Depends(authenticate)]) -> None:
        if not caller_of(request).has_role(role):
            raise Problem(403, f"this needs the role {role}")

    check.role = role
    return Depends(check)


async def current_caller(request: Request, _: Annotated[Organisation, Depends(authenticate)]) -> Caller:
    """The authenticated caller, person included."""
    return caller_of(request)


CurrentCaller = Annotated[Caller, Depends(current_caller)]
CurrentOrganisation = Annotated[Organisation, Depends(authenticate)]
DirectoryDep = Annotated[Directory, Depends(directory_of)]
