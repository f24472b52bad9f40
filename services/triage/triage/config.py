"""Triage settings."""

from pydantic import Field

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "triage"
    database_url: str = database_url_field("triage")
    # How often unacknowledged safeguarding concerns are checked for chasing and escalation.
    safeguarding_check_seconds: float = Field(default=60.0, gt=0)
    # NWD_TRIAGE_MODEL_ENABLED: the safeguarding model beside the rules; off, triage is the rules alone.
    triage_model_enabled: bool = True
