"""Every read and creation of a contact is recorded; the owner's customer relations can read it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from nwd_shared.testing import bearer, contact_payload

COUNCIL = bearer("demo-wsx-council-key")


async def test_reading_a_contact_writes_an_audit_record_the_owner_can_read(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    await intake.get(f"/v1/contacts/{reference}", headers=COUNCIL)
    trail = (await intake.get(f"/v1/contacts/{reference}/audit", headers=COUNCIL)).json()
    assert [(e["action"], e["resource"], e["organisation_id"], e["credential_id"]) for e in trail] == [
        ("create", "contact", "wsx-council", "primary"), ("read", "contact", "wsx-council", "primary")]


async def test_a_refused_read_is_not_recorded_and_others_cannot_read_the_trail(intake):
    reference = (await intake.post("/v1/contacts", json=contact_payload(), headers=COUNCIL)).json()["reference"]
    stranger = bearer("demo-bh-council-key")
    assert (await intake.get(f"/v1/contacts/{reference}", headers=stranger)).status_code == 404
    assert (await intake.get(f"/v1/contacts/{reference}/audit", headers=stranger)).status_code == 404
    trail = (await intake.get(f"/v1/contacts/{reference}/audit", headers=COUNCIL)).json()
    assert [e["action"] for e in trail] == ["create"]


# An audit table by any name it goes by: the table name, or `audit`, `audit_table`, `models.audit`...
_AUDIT = r"(?:\baudit\w*|\w+\.audit\w*|[\"']?audit_record[\"']?)"
_CHANGES = re.compile("|".join([
    rf"\b(?:update|delete)\(\s*{_AUDIT}",                      # sqlalchemy update(audit_table)
    rf"{_AUDIT}\s*\.\s*(?:update|delete)\(",                    # audit_table.delete()
    r"\.delete\([^)]*audit",                                     # session.delete(an_audit_row)
    r"(?i:\b(?:update|delete\s+from|truncate(?:\s+table)?|drop\s+table)\s+[\"']?audit_record)",  # raw SQL
    r"\bop\.drop_table\(\s*[\"']audit_record",                   # a migration dropping the trail
]))


def _code_outside_downgrades(path: Path) -> str:
    """A file's source without its migration downgrades (which drop the table they created)."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and (node.name == "downgrade" or node.name.startswith("drop_audit_table")):
            for number in range(node.lineno - 1, node.end_lineno):
                lines[number] = "\n"
    return "".join(lines)


def test_no_code_path_updates_or_deletes_an_audit_record():
    # The check itself catches each way of changing the trail.
    for offending in ("update(audit_table).values(x=1)", "await session.execute(delete(audit))",
                      "models.audit.delete()", "await session.delete(audit_row)",
                      "text('DELETE FROM audit_record')", 'op.execute("update audit_record set x = 1")',
                      "op.drop_table('audit_record')", "TRUNCATE TABLE audit_record"):
        assert _CHANGES.search(offending), offending
    root = Path(__file__).resolve().parents[4]
    code = [p for top in (root / "services", root / "shared") for p in top.rglob("*.py")
            if "tests" not in p.relative_to(root).parts and ".venv" not in p.parts]
    assert len(code) > 100  # it did walk the services
    offenders = [f"{path.relative_to(root)}: {match.group(0)}" for path in code
                 for match in _CHANGES.finditer(_code_outside_downgrades(path))]
    assert offenders == []
