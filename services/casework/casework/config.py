"""Casework settings."""

from pathlib import Path
from typing import Literal

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "casework"
    database_url: str = database_url_field("casework")
    # NWD_LETTER_TEMPLATES_DIR: organisations' own letters, <dir>/<organisation id>/<kind>.html.j2
    # (or <dir>/<kind>.html.j2 for all); anything not there comes from the built-in templates.
    letter_templates_dir: Path | None = None
    # NWD_DEADLINE_MONITOR_INTERVAL_SECONDS: how often the deadline monitor looks.
    deadline_monitor_interval_seconds: float = 300.0
    # --- the case file's documents (issue 15) ---
    # NWD_DOCUMENT_MAX_BYTES: the largest document accepted (20 MiB); one byte more is refused with 413.
    document_max_bytes: int = 20 * 1024 * 1024
    # NWD_DOCUMENT_STORE: where documents' bytes live; only the service's database is built so far
    # (the DocumentStore protocol in casework/casefile/storage.py is where an object store would go).
    document_store: Literal["database"] = "database"
    # NWD_DOCUMENT_SCANNER: none (stored as "not scanned") or clamd (ClamAV's daemon, INSTREAM over TCP).
    document_scanner: Literal["none", "clamd"] = "none"
    clamd_host: str = "127.0.0.1"
    clamd_port: int = 3310
    clamd_timeout_seconds: float = 30.0
