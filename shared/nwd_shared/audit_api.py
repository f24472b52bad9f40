"""A service's audit trail over HTTP: for the customer relations of whoever the service's own rule
names for the record; read only, since nothing may change the trail (no update or delete route).

Each service mounts one: `audit_router(audit_table, "/v1/cases/{case_id}/audit", service.audited_case)`.
The rule (`Owned`) turns the path's key into the contact reference the records are kept under, or
raises NotFound, so no one else learns that the record exists. Intake serves the same shape at
/v1/contacts/{reference}/audit.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared import audit
from nwd_shared.app import ReadSession
from nwd_shared.auth import require_role, require_scope
from nwd_shared.context import Context, ContextDep
from nwd_shared.directory import Organisation

# (session, context, the path's key) -> the contact reference of a record the caller may audit.
Owned = Callable[[AsyncSession, Context, str], Awaitable[str]]


class AuditPerson(BaseModel):
    """The member of staff behind a credential: the directory's record, or a token's subject (no name)."""

    id: str
    name: str | None


class AuditEntry(BaseModel):
    at: datetime
    organisation_id: str
    credential_id: str
    # The person who acted, when a key issued to a person or a person's token was used.
    person: AuditPerson | None = None
    action: str
    resource: str
    reference: str | None
    client_address: str | None


def person_behind(organisation: Organisation | None, credential_id: str) -> AuditPerson | None:
    """The person who used a credential, as the directory knows them now (a removed key names no one)."""
    if credential_id.startswith("jwt:"):
        subject = credential_id.removeprefix("jwt:")
        known = organisation.person(subject) if organisation else None
        return AuditPerson(id=subject, name=known.name if known else None)
    if organisation is None:
        return None
    credential = next((c for c in organisation.all_credentials() if c.id == credential_id), None)
    if credential is None or credential.person is None:
        return None
    person = organisation.person(credential.person)
    return AuditPerson(id=credential.person, name=person.name if person else None)


async def entries(session: AsyncSession, table: Table, ctx: Context, reference: str) -> list[AuditEntry]:
    """A contact's records at this service, oldest first, each with the person behind it."""
    return [AuditEntry.model_validate(
        row | {"person": person_behind(ctx.directory.get(row["organisation_id"]), row["credential_id"])})
        for row in await audit.trail(session, table, reference)]


def audit_router(table: Table, path: str, owned: Owned) -> APIRouter:
    """GET `path` (one path parameter): the trail, for the customer relations the `owned` rule admits."""
    [key] = re.findall(r"\{(\w+)\}", path)
    router = APIRouter(tags=["audit"])

    async def get_audit_trail(ctx: Context, session: AsyncSession, **path_key: str) -> list[AuditEntry]:
        reference = await owned(session, ctx, path_key[key])
        return await entries(session, table, ctx, reference)

    # The path's own parameter name, so the OpenAPI document names it as the service's other routes do.
    get_audit_trail.__signature__ = inspect.Signature([
        inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[str, Path(max_length=64)]),
        inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=ContextDep),
        inspect.Parameter("session", inspect.Parameter.KEYWORD_ONLY, annotation=ReadSession),
    ], return_annotation=list[AuditEntry])
    router.add_api_route(
        path, get_audit_trail, methods=["GET"], response_model=list[AuditEntry],
        dependencies=[require_scope("customer-relations"), require_role("customer_relations")],
        summary="Audit trail", description="Who read or changed this record here, person by person: for the "
        "customer relations of the organisation the service's access rule names (404 to anyone else).",
    )
    return router
