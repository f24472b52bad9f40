"""API-key authentication: `Authorization: Bearer <key>` names the calling organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nwd_shared.directory import Directory, Organisation
from nwd_shared.http import Problem

_bearer = HTTPBearer(auto_error=False, description="An organisation's API key")


def directory_of(request: Request) -> Directory:
    """The organisation directory loaded at start."""
    return request.app.state.directory


class Unauthorized(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(401, detail, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Organisation:
    """The organisation whose key the request carries; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    organisation = directory_of(request).organisation_for_key(credentials.credentials)
    if organisation is None:
        raise Unauthorized("the API key is not valid")
    request.state.organisation_id = organisation.id
    return organisation


CurrentOrganisation = Annotated[Organisation, Depends(authenticate)]
DirectoryDep = Annotated[Directory, Depends(directory_of)]
