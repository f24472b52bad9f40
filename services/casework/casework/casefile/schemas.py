"""Case file requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Channel = Literal["letter", "email", "phone", "meeting", "other"]
Direction = Literal["in", "out"]
LinkReason = Literal["same_person", "same_incident", "other"]
# The ids of notes, documents and correspondence: positive 64-bit integers.
MAX_ID = 2**63 - 1


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Author(BaseModel):
    """Who recorded an entry: the person (None for an organisation's system key) and the credential."""

    organisation_id: str
    person_id: str | None
    name: str | None
    credential_id: str | None


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=20000)
    corrects: int | None = Field(default=None, ge=1, le=MAX_ID,
                                 description="The id of an earlier note of this case that this one corrects")


class NoteView(BaseModel):
    id: int
    case_id: str
    author: Author
    written_at: datetime
    text: str
    corrects: int | None
    corrected_by: list[int] = Field(description="Later notes that correct this one")


class NoteList(BaseModel):
    items: list[NoteView]


class DocumentView(BaseModel):
    id: int
    case_id: str
    filename: str = Field(description="The name as uploaded")
    content_type: str = Field(description="Decided from the content, not the name")
    size: int
    sha256: str
    description: str | None
    scan: Literal["clean", "not_scanned"]
    uploaded_by: Author
    uploaded_at: datetime


class DocumentList(BaseModel):
    items: list[DocumentView]


class CorrespondenceIn(_In):
    occurred_on: date = Field(description="The day it was sent, received or took place")
    channel: Channel
    direction: Direction
    summary: str = Field(min_length=1, max_length=20000)
    correspondent: str | None = Field(default=None, max_length=200,
                                      description="Who it was with, e.g. the complainant or their advocate")
    document_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="A document of this case")


class CorrespondenceView(BaseModel):
    id: int
    case_id: str
    occurred_on: date
    channel: Channel
    direction: Direction
    correspondent: str | None
    summary: str
    document_id: int | None
    recorded_by: Author
    recorded_at: datetime


class CorrespondenceList(BaseModel):
    items: list[CorrespondenceView]


class LinkIn(_In):
    case_id: str | None = Field(default=None, max_length=36)
    reference: str | None = Field(default=None, max_length=32)
    reason: LinkReason
    detail: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_case(self) -> LinkIn:
        if (self.case_id is None) == (self.reference is None):
            raise ValueError("give the other case's case_id or its reference, not both")
        return self


class LinkView(BaseModel):
    case_id: str
    reference: str
    status: str
    reason: LinkReason
    detail: str | None
    linked_by: Author
    linked_at: datetime


class LinkList(BaseModel):
    items: list[LinkView]
