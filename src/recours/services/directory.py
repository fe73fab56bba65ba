"""Directory use cases: list, look up and search organisations, with their state at an instant."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recours.domain.common import Lang, Text
from recours.domain.directory import Category, Channel, ChannelState, Directory, Resource, channel_states
from recours.domain.hours import OpenState, state_at
from recours.errors import UnknownResource


@dataclass(frozen=True)
class ResourceView:
    resource: Resource
    state: OpenState
    channels: list[ChannelState]


def view(resource: Resource, at: datetime) -> ResourceView:
    return ResourceView(
        resource=resource,
        state=state_at(resource.hours, at),
        channels=channel_states(resource, at),
    )


# Emergencies first, then the services that listen, then the ones that act.
CATEGORY_ORDER: tuple[Category, ...] = (
    "emergency",
    "helpline",
    "reporting",
    "complaint",
    "technical",
    "data_protection",
    "school",
    "legal",
    "association",
    "official_body",
)


def list_resources(directory: Directory, at: datetime, query: str = "") -> list[ResourceView]:
    """Entries matching ``query`` (all when empty); contactable entries first, then by name."""
    found = [r for r in directory.resources if matches(r, query)]
    found.sort(key=lambda r: (not r.contactable, CATEGORY_ORDER.index(r.category), _fold(r.short_name.fr)))
    return [view(r, at) for r in found]


def get_resource(directory: Directory, resource_id: str) -> Resource:
    try:
        return directory.get(resource_id.strip().lower())
    except KeyError:
        raise UnknownResource(
            f"Aucun organisme n’a l’identifiant « {resource_id} ». "
            "La commande « recours resources » donne la liste.",
            f"No organisation has the id “{resource_id}”. The command “recours resources” lists them.",
        ) from None


def matches(resource: Resource, query: str) -> bool:
    """Accent- and case-insensitive search over ids, names and what the entry handles."""
    words = _fold(query).split()
    if not words:
        return True
    texts: list[Text] = [resource.name, resource.short_name, resource.summary, *resource.handles]
    haystack = " ".join([resource.id, *(t.fr + " " + t.en for t in texts)])
    folded = _fold(haystack)
    return all(word in folded for word in words)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---------------------------------------------------------------------------------------
# JSON (CLI --json and the web API share these shapes)


def state_json(state: OpenState) -> dict[str, Any]:
    return {
        "open_now": state.open_now,
        "closes_at": state.closes_at.isoformat() if state.closes_at else None,
        "next_opening": state.next_opening.isoformat() if state.next_opening else None,
    }


def channel_json(channel: Channel, state: OpenState | None, lang: Lang) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": channel.kind,
        "value": channel.value,
        "label": channel.label.get(lang),
        "href": channel.href,
    }
    if channel.note:
        data["note"] = channel.note.get(lang)
    if state is not None:
        data.update(state_json(state))
    return data


def resource_json(item: ResourceView, lang: Lang) -> dict[str, Any]:
    r = item.resource
    return {
        "id": r.id,
        "name": r.name.get(lang),
        "short_name": r.short_name.get(lang),
        "category": r.category,
        "status": r.status,
        "superseded_by": r.superseded_by,
        "status_note": r.status_note.get(lang) if r.status_note else None,
        "alternatives": r.alternatives,
        **state_json(item.state),
        "hours": r.hours.summary.get(lang) if r.hours else None,
        "channels": [channel_json(c.channel, c.state, lang) for c in item.channels],
        "summary": r.summary.get(lang),
        "handles": [t.get(lang) for t in r.handles],
        "does_not_handle": [t.get(lang) for t in r.does_not_handle],
        "audience": {
            "roles": r.audience.roles,
            "min_age": r.audience.min_age,
            "max_age": r.audience.max_age,
            "description": r.audience.description.get(lang),
        },
        "cost": r.cost.get(lang),
        "anonymity": r.anonymity.get(lang),
        "can_do": [t.get(lang) for t in r.can_do],
        "unverified": [t.get(lang) for t in r.unverified],
        "disagreements": [
            {
                "topic": d.topic.get(lang),
                "claims": [c.get(lang) for c in d.claims],
                "resolution": d.resolution.get(lang),
            }
            for d in r.disagreements
        ],
        "sources": [{"url": s.url, "title": s.title, "seen": s.seen.isoformat()} for s in r.sources],
        "last_checked": r.last_checked.isoformat(),
    }
