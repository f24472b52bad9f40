"""Referral settings."""

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "referral"
    database_url: str = database_url_field("referral")
