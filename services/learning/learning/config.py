"""Learning settings."""

from urllib.parse import urlsplit

from pydantic import Field

from nwd_shared.settings import ServiceSettings, database_url_field, is_local_host


class Settings(ServiceSettings):
    service_name: str = "learning"
    database_url: str = database_url_field("learning")
    # A learning action is due this many working days after the response that raised it
    # (local policy; about two months).
    learning_action_due_working_days: int = Field(default=40, ge=1, le=260)
    # Where the person's feedback link points: the token is appended (the page a letter links to).
    experience_base_url: str = "http://127.0.0.1:8005/v1/experience/"

    def production_refusals(self) -> list[str]:
        refusals = super().production_refusals()
        parts = urlsplit(self.experience_base_url)
        if parts.scheme != "https" or is_local_host(parts.hostname or ""):
            refusals.append("NWD_EXPERIENCE_BASE_URL: people's feedback links must be https on a public name")
        return refusals
