"""Authentication: `Authorization: Bearer <API key or JWT>` names the calling organisation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nwd_shared.directory import ALL_ROLES, ALL_SCOPES, Directory, Organisation
from nwd_shared.http import Problem

_bearer = HTTPBearer(auto_error=False, description="An organisation's API key or access token")


# Claims an identity provider's access token carries for a person (contract.md, Identity).
NAME_CLAIM, ROLES_CLAIM = "name", "nwd_roles"
_MAX_SUBJECT = 64


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


def _actor_of(organisation: Organisation, claims: dict) -> Actor:
    """The person a token speaks for: the directory's record of them, else the token's own claims."""
    subject = str(claims.get("sub") or claims.get("client_id") or "?")[:_MAX_SUBJECT]
    known = organisation.person(subject)
    roles = claims.get(ROLES_CLAIM)
    roles = roles.split() if isinstance(roles, str) else roles if isinstance(roles, list) else []
    granted = frozenset(str(r) for r in roles) & frozenset(ALL_ROLES)
    if known is not None:
        return Actor(known.id, known.name, granted or frozenset(known.roles), known.team)
    name = claims.get(NAME_CLAIM)
    return Actor(subject, str(name)[:200] if name else None, granted)


class Unauthorized(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(401, detail, headers={"WWW-Authenticate": "Bearer"})


class RateLimiter:
    """A token bucket per credential: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}

    def retry_after(self, credential: str) -> float | None:
        """None if the request may go ahead, else seconds until it could."""
        now = time.monotonic()
        tokens, updated = self._buckets.get(credential, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - updated) * self.rate)
        if tokens < 1:
            self._buckets[credential] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[credential] = (tokens - 1, now)
        return None


class JwksVerifier:
    """Verifies identity-provider access tokens against its JWKS, refetched when keys rotate."""

    def __init__(self, url: str, *, issuer: str | None, audience: str | None, claim: str) -> None:
        self.url, self.issuer, self.audience, self.claim = url, issuer, audience, claim
        self._keys: jwt.PyJWKSet | None = None
        self._fetched = 0.0

    async def _key(self, kid: str | None, refresh: bool = False) -> jwt.PyJWK:
        if self._keys is None or refresh or time.monotonic() - self._fetched > 300:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(self.url)
                response.raise_for_status()
            self._keys, self._fetched = jwt.PyJWKSet.from_dict(response.json()), time.monotonic()
        for key in self._keys.keys:
            if kid is None or key.key_id == kid:
                return key
        if not refresh:
            return await self._key(kid, refresh=True)
        raise jwt.InvalidTokenError(f"no signing key {kid!r}")

    async def verify(self, token: str) -> dict:
        """The token's claims, or InvalidTokenError."""
        header = jwt.get_unverified_header(token)
        key = await self._key(header.get("kid"))
        return jwt.decode(token, key=key, algorithms=["RS256", "ES256", "PS256"], audience=self.audience,
                          issuer=self.issuer, options={"require": ["exp", "iat"]})


def directory_of(request: Request) -> Directory:
    """The organisation directory loaded at start."""
    return request.app.state.runtime.directory


async def _caller_from_token(request: Request, token: str) -> Caller:
    verifier: JwksVerifier | None = request.app.state.runtime.jwks
    if verifier is not None and token.count(".") == 2:
        try:
            claims = await verifier.verify(token)
        except (jwt.InvalidTokenError, httpx.HTTPError) as exc:
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


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Organisation:
    """The organisation the request's bearer token belongs to; 401 otherwise, 429 when too fast."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    caller = await _caller_from_token(request, credentials.credentials)
    limiter: RateLimiter | None = request.app.state.runtime.rate_limiter
    if limiter is not None:
        wait = limiter.retry_after(f"{caller.organisation.id}/{caller.credential_id}")
        if wait is not None:
            raise Problem(429, "too many requests for this credential; slow down",
                          headers={"Retry-After": str(max(1, round(wait)))})
    request.state.caller = caller
    request.state.organisation_id = caller.organisation.id
    return caller.organisation


def caller_of(request: Request) -> Caller:
    """The authenticated caller (after `authenticate` ran for the request)."""
    return request.state.caller


def require_scope(scope: str):
    """A dependency: the caller's credential must carry `scope` (403 otherwise)."""
    if scope not in ALL_SCOPES:
        raise ValueError(f"unknown scope {scope}")

    async def check(request: Request, _: Annotated[Organisation, Depends(authenticate)]) -> None:
        if scope not in caller_of(request).scopes:
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
