"""Triage settings."""

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "triage"
    database_url: str = database_url_field("triage")
