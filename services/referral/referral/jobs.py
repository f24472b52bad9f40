"""Kept for `referral.main`, which registers the job as `jobs.periodic`: the job lives in `chasing`."""

from referral.chasing import chase_unanswered, periodic

__all__ = ["chase_unanswered", "periodic"]
