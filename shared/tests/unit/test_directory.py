"""The organisation directory: loaded and validated with errors a person can act on."""

import pytest

from nwd_shared.directory import DirectoryError, hash_key, load_directory
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE


def write(tmp_path, text: str):
    path = tmp_path / "organisations.yaml"
    path.write_text(text)
    return path


def test_demo_directory_loads_and_resolves_bodies_by_service_and_area():
    directory = load_directory(DEMO_ORGANISATIONS_FILE)
    assert [o.id for o in directory.responsible_for("social_care", "west-sussex")] == [
        "wsx-council", "downs-care"]
    assert directory.pals_of("uhsussex").id == "uhsussex-pals"


def test_referral_partners_are_never_responsible_bodies():
    directory = load_directory(DEMO_ORGANISATIONS_FILE)
    phso = directory.get("phso")
    assert "health" in phso.responsible_for and "england" in phso.areas  # it would match...
    assert directory.responsible_for("health", "england") == []  # ...but an ombudsman never owns


def test_keys_are_compared_by_hash(tmp_path):
    digest = hash_key("a-production-key")
    directory = load_directory(write(tmp_path, f"""
organisations:
  - {{id: t1, name: Trust One, kind: nhs_trust, responsible_for: [health], areas: [x],
      api_key_sha256: {digest}}}
"""))
    assert directory.organisation_for_key("a-production-key").id == "t1"
    assert directory.organisation_for_key(digest) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("organisations: [", "not valid YAML"),
        ("organisations: []", "organisations: List should have at least 1 item"),
        ("organisations:\n  - {id: Bad_Id, name: X, kind: council}", "organisations.0.id"),
        ("organisations:\n  - {id: a, name: X, kind: hospital}", "organisations.0.kind"),
        ("organisations:\n  - {id: a, name: X, kind: council}\n  - {id: a, name: Y, kind: council}",
         "duplicate organisation ids: a"),
        ("organisations:\n  - {id: p, name: P, kind: pals, serves: nowhere}",
         "serves unknown organisation 'nowhere'"),
        ("organisations:\n  - {id: a, name: X, kind: council, surprise: 1}", "organisations.0.surprise"),
        ("organisations:\n  - {id: a, name: X, kind: council, api_key: same-key-1}\n"
         "  - {id: b, name: Y, kind: council, api_key: same-key-1}", "share an API key"),
    ],
)
def test_bad_directory_fails_with_where_and_why(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DirectoryError) as error:
        load_directory(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(tmp_path / "absent.yaml")
