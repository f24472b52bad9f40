"""Referral settings."""

from pydantic import Field

from nwd_shared.settings import ServiceSettings, database_url_field
from referral.domain import DEFAULT_LEAD_RULE, LeadCriterion


class Settings(ServiceSettings):
    service_name: str = "referral"
    database_url: str = database_url_field("referral")
    # How the lead of a joint complaint is chosen: criteria in turn (NWD_LEAD_RULE, a JSON list).
    lead_rule: list[LeadCriterion] = Field(default=list(DEFAULT_LEAD_RULE), min_length=1)
    # A triage decision normally follows its contact.received; this long without it, go on anyway.
    contact_wait_seconds: float = Field(default=300.0, ge=0)
    # How often unanswered proposals are checked for reminders and time-outs.
    timeout_check_seconds: float = Field(default=60.0, gt=0)
    # Webhooks: how often due deliveries are sent, and how failed ones are retried.
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_batch_size: int = Field(default=50, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_delay_seconds: float = Field(default=6 * 3600.0, gt=0)
    # Standard Webhooks: keep retrying for at least a day before giving up.
    webhook_retry_window_hours: float = Field(default=24.0, ge=24.0)
