"""Casework settings."""

from pathlib import Path

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "casework"
    database_url: str = database_url_field("casework")
    # NWD_LETTER_TEMPLATES_DIR: organisations' own letters, <dir>/<organisation id>/<kind>.html.j2
    # (or <dir>/<kind>.html.j2 for all); anything not there comes from the built-in templates.
    letter_templates_dir: Path | None = None
    # NWD_DEADLINE_MONITOR_INTERVAL_SECONDS: how often the deadline monitor looks.
    deadline_monitor_interval_seconds: float = 300.0
