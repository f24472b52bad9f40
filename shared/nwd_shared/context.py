"""Who acts, and when: the one context every service's use cases receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from nwd_shared.auth import Actor, Caller, current_caller
from nwd_shared.calendar import WorkingCalendar, local_date
from nwd_shared.directory import Directory, Policy

if TYPE_CHECKING:
    from nwd_shared.runtime import Runtime


@dataclass(frozen=True)
class Context:
    """The caller (None for a consumer or a job), the moment read once, the calendar and directory."""

    source: str
    now: datetime
    calendar: WorkingCalendar
    directory: Directory
    caller: str | None = None
    # The person acting for the caller, when a person does (not for an organisation's system key).
    actor: Actor | None = None

    @classmethod
    def of(cls, runtime: Runtime, caller: str | None = None, actor: Actor | None = None) -> Context:
        """The context of a request, event or job in a running service, with `now` read once."""
        return cls(source=runtime.settings.source, now=runtime.clock(), calendar=runtime.calendar,
                   directory=runtime.directory, caller=caller, actor=actor)

    @property
    def by(self) -> str | None:
        """The person's id for records of who acted (None: the organisation's system)."""
        return self.actor.id if self.actor else None

    @property
    def today(self) -> date:
        """Today's London date: deadlines count in England's days, never UTC's."""
        return local_date(self.now)

    def policy(self, organisation_id: str) -> Policy:
        return self.directory.policy_of(organisation_id)


async def request_context(request: Request, caller: Annotated[Caller, Depends(current_caller)]) -> Context:
    """The context of an authenticated request: its organisation and person, `now` read once."""
    return Context.of(request.app.state.runtime, caller.organisation.id, caller.actor)


# An endpoint's "who acts and when" (authenticates the request first).
ContextDep = Annotated[Context, Depends(request_context)]
