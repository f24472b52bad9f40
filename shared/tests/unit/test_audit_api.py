"""The shared audit trail router: one read-only route, the shape intake serves, the path's own key."""

from __future__ import annotations

from fastapi.routing import APIRoute
from sqlalchemy import MetaData

from intake.schemas import AuditEntry as IntakeAuditEntry
from nwd_shared.audit import define_audit_table
from nwd_shared.audit_api import AuditEntry, audit_router


async def _owned(session, ctx, key: str) -> str:
    return key


def test_the_router_serves_one_read_only_route_named_by_the_paths_key():
    router = audit_router(define_audit_table(MetaData()), "/v1/things/{thing_id}/audit", _owned)
    [route] = router.routes
    assert isinstance(route, APIRoute) and route.methods == {"GET"}
    assert [p.name for p in route.dependant.path_params] == ["thing_id"]


def test_every_service_serves_the_shape_intake_serves():
    assert AuditEntry.model_json_schema() == IntakeAuditEntry.model_json_schema()
