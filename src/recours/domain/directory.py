"""The directory of help organisations: the model every data file is validated against.

Each entry says what the organisation handles and does not handle, for whom, how to
reach it and when, what it costs, and where each fact comes from. An entry is never
deleted when reality changes: the 3020 and the OCLCTIC, still named by the article that
started the project, stay with a status that explains what replaced them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

from pydantic import field_validator, model_validator

from recours.domain.common import HttpsUrl, StrictModel, Text
from recours.domain.hours import OpeningHours, OpenState, state_at

Status = Literal["active", "superseded", "no_public_contact", "unverified"]
Role = Literal["victim", "parent", "witness", "professional"]
ROLES: tuple[Role, ...] = get_args(Role)
ChannelKind = Literal[
    "phone", "sms", "chat", "messaging", "app", "web_form", "email", "post", "in_person", "website"
]
Category = Literal[
    "emergency",
    "helpline",
    "reporting",
    "complaint",
    "legal",
    "data_protection",
    "school",
    "association",
    "technical",
    "official_body",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Source(StrictModel):
    url: HttpsUrl
    title: str
    # The date of the version we read (a page's "modified" date), as far as it is visible.
    seen: date



class Disagreement(StrictModel):
    """Where sources disagree (research/domain.md §7), what each says and what we chose."""

    topic: Text
    claims: list[Text]
    resolution: Text


class Audience(StrictModel):
    roles: list[Role]
    min_age: int | None = None
    max_age: int | None = None
    description: Text


class Channel(StrictModel):
    kind: ChannelKind
    value: str
    label: Text
    # Own hours when they differ from the entry's; None = same as the entry.
    hours: OpeningHours | None = None
    note: Text | None = None

    @property
    def href(self) -> str | None:
        """A link a browser can follow, for the channels that have one."""
        if self.kind == "phone":
            return "tel:" + self.value.replace(" ", "")
        if self.kind == "sms":
            return "sms:" + self.value.replace(" ", "")
        if self.kind == "email":
            return "mailto:" + self.value
        if self.value.startswith("https://"):
            return self.value
        return None


class Resource(StrictModel):
    id: str
    name: Text
    short_name: Text
    category: Category
    status: Status
    superseded_by: str | None = None
    # What the user is told about the status (why superseded, why unverified…).
    status_note: Text | None = None
    # Real alternatives to name when this entry cannot be contacted.
    alternatives: list[str] = []
    summary: Text
    handles: list[Text]
    does_not_handle: list[Text] = []
    audience: Audience
    channels: list[Channel] = []
    # None: no opening hours apply (a web form, a procedure, a kind of professional).
    hours: OpeningHours | None = None
    cost: Text
    anonymity: Text
    can_do: list[Text] = []
    unverified: list[Text] = []
    disagreements: list[Disagreement] = []
    sources: list[Source]
    last_checked: date

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"ids are lower-case slugs: {value!r}")
        return value

    @model_validator(mode="after")
    def _status_rules(self) -> Resource:
        if not self.sources:
            raise ValueError(f"{self.id}: every entry cites at least one source")
        if (self.status == "superseded") != (self.superseded_by is not None):
            raise ValueError(f"{self.id}: superseded_by goes with status 'superseded', only")
        if self.status != "active" and self.status_note is None:
            raise ValueError(f"{self.id}: a non-active entry explains its status")
        if self.status in ("unverified", "no_public_contact"):
            if self.channels:
                raise ValueError(f"{self.id}: an entry without public contact lists no channel")
            if not self.alternatives:
                raise ValueError(f"{self.id}: name the real alternatives")
        if self.status == "active" and not self.channels:
            raise ValueError(f"{self.id}: an active entry needs a channel")
        return self

    @property
    def contactable(self) -> bool:
        """Only an active entry may ever be shown as somewhere to turn."""
        return self.status == "active"


@dataclass(frozen=True)
class ChannelState:
    channel: Channel
    state: OpenState


def channel_states(resource: Resource, at: datetime) -> list[ChannelState]:
    """Each channel with its own state: its own hours, or else the entry's."""
    return [ChannelState(c, state_at(c.hours or resource.hours, at)) for c in resource.channels]


class Directory(StrictModel):
    resources: list[Resource]

    @model_validator(mode="after")
    def _references(self) -> Directory:
        ids = [r.id for r in self.resources]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {duplicates}")
        known = set(ids)
        for resource in self.resources:
            targets = [*resource.alternatives]
            if resource.superseded_by:
                targets.append(resource.superseded_by)
            for target in targets:
                if target not in known:
                    raise ValueError(f"{resource.id} points to unknown entry {target!r}")
                if not self.get(target).contactable:
                    raise ValueError(f"{resource.id} points to {target!r}, which is not active")
        return self

    def get(self, resource_id: str) -> Resource:
        for resource in self.resources:
            if resource.id == resource_id:
                return resource
        raise KeyError(resource_id)

    def ids(self) -> list[str]:
        return [r.id for r in self.resources]
