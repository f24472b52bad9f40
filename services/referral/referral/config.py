"""Referral settings."""

from pydantic import Field, IPvAnyNetwork

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
    # How often negotiations whose answers are all in, yet not agreed, are looked for and agreed.
    sweep_seconds: float = Field(default=300.0, gt=0)
    # How many rows one run of a job claims; the next run takes the rest.
    job_batch_size: int = Field(default=500, ge=1, le=10000)
    # Webhooks: how often due deliveries are sent, and how failed ones are retried.
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_batch_size: int = Field(default=50, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_delay_seconds: float = Field(default=6 * 3600.0, gt=0)
    # Standard Webhooks: keep retrying for at least a day before giving up.
    webhook_retry_window_hours: float = Field(default=24.0, ge=24.0)
    # Webhook URLs are https only; http is for local development (refused when NWD_ENV=production).
    webhook_allow_http: bool = False
    # Private networks webhooks may reach (CIDRs: a partner on HSCN or a VPN); everything else must
    # be globally routable. NWD_WEBHOOK_ALLOWED_NETWORKS='["10.20.0.0/16"]'
    webhook_allowed_networks: list[IPvAnyNetwork] = []

    def production_refusals(self) -> list[str]:
        refusals = super().production_refusals()
        if self.webhook_allow_http:
            refusals.append("NWD_WEBHOOK_ALLOW_HTTP: webhooks must be https in production")
        return refusals
