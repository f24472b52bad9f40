"""Per-organisation local policies default to domain.md's values and can be set in the directory."""

from nwd_shared.directory import load_directory


def test_policy_defaults_and_overrides(tmp_path):
    path = tmp_path / "organisations.yaml"
    path.write_text("""
organisations:
  - {id: a, name: A, kind: council, responsible_for: [social_care], areas: [x]}
  - {id: b, name: B, kind: council, responsible_for: [social_care], areas: [x],
     policy: {response_working_days: 25}}
""")
    directory = load_directory(path)
    assert directory.get("a").policy.action_plan_working_days == 5
    assert directory.get("a").policy.response_working_days == 20
    assert directory.get("b").policy.response_working_days == 25
