"""The shared audit trail router: one read-only route, the shape intake serves, the path's own key."""

from __future__ import annotations

from fastapi.routing import APIRoute
from sqlalchemy import MetaData

from nwd_shared.audit import define_audit_table
from nwd_shared.audit_api import AuditPerson, audit_router, person_behind
from nwd_shared.directory import load_directory
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE


async def _owned(session, ctx, key: str) -> str:
    return key


def test_the_router_serves_one_read_only_route_named_by_the_paths_key():
    router = audit_router(define_audit_table(MetaData()), "/v1/things/{thing_id}/audit", _owned)
    [route] = router.routes
    assert isinstance(route, APIRoute) and route.methods == {"GET"}
    assert [p.name for p in route.dependant.path_params] == ["thing_id"]


def test_the_person_behind_a_credential_is_the_keys_holder_or_the_tokens_subject():
    council = load_directory(DEMO_ORGANISATIONS_FILE).get("wsx-council")
    assert person_behind(council, "ana-key") == AuditPerson(id="ana.patel", name="Ana Patel")
    assert person_behind(council, "primary") is None  # the organisation's own key: no person
    assert person_behind(council, "jwt:cara.jones") == AuditPerson(id="cara.jones", name="Cara Jones")
    assert person_behind(council, "jwt:someone-new") == AuditPerson(id="someone-new", name=None)
    assert person_behind(council, "removed-key") is None and person_behind(None, "ana-key") is None
