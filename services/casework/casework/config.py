"""Casework settings."""

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "casework"
    database_url: str = database_url_field("casework")
