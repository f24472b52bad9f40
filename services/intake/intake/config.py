"""Intake settings."""

from nwd_shared.settings import ServiceSettings, database_url_field


class Settings(ServiceSettings):
    service_name: str = "intake"
    database_url: str = database_url_field("intake")
    # Tolerance for a partner's clock running slightly ahead when it sends `received_at`.
    clock_skew_seconds: int = 120
