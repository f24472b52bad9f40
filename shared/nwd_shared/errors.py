"""Domain errors: what a use case refuses, and why. The HTTP edge maps each to problem+json once."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A use case refused a request; `status` is the HTTP status the edge answers with."""

    status = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers

    def extensions(self) -> dict:
        """Extra problem+json members (RFC 9457 §3.2) this error carries."""
        return {}


class NotFound(DomainError):
    """No such thing, or one the caller may not know exists (never tell them apart)."""

    status = 404


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403


class Conflict(DomainError):
    """The request is valid but the thing's current state does not allow it."""

    status = 409


@dataclass(frozen=True)
class FieldError:
    """One invalid field: the same shape as a request validation error's."""

    field: str
    message: str
    type: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "type": self.type}


class Invalid(DomainError):
    """One or more fields break a rule the request's schema cannot express."""

    status = 422

    def __init__(self, *errors: FieldError, detail: str | None = None) -> None:
        if not errors:
            raise ValueError("Invalid needs at least one field error")
        super().__init__(detail or f"{len(errors)} invalid field(s)")
        self.errors = errors

    @classmethod
    def field(cls, field: str, message: str, type: str = "value_error") -> Invalid:  # noqa: A002
        """One invalid field."""
        return cls(FieldError(field, message, type), detail=message)

    def extensions(self) -> dict:
        return {"errors": [e.as_dict() for e in self.errors]}
