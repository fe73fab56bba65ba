"""The packaged directory: every entry valid, sourced, dated, and truthful about its status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recours.adapters.knowledge import Knowledge
from recours.domain.directory import Resource
from recours.services.schema import json_schemas

REQUIRED_IDS = {
    "3018",
    "3020",
    "ofac",
    "cybermalveillance",
    "e-enfance",
    "sos-cyberharcelement",
    "cnil",
    "pharos",
    "avocat",
    "17",
    "112",
    "114",
    "15",
    "3114",
    "119",
    "116006",
    "3919",
    "ma-securite",
    "plainte",
    "thesee",
    "point-de-contact",
    "stopncii",
    "take-it-down",
    "defenseur-des-droits",
    "commissaire-de-justice",
    "etablissement-scolaire",
    "signalement-plateforme",
}


def entries(knowledge: Knowledge) -> list[Resource]:
    return list(knowledge.directory.resources)


def test_every_required_entry_is_there(knowledge: Knowledge) -> None:
    assert set(knowledge.directory.ids()) >= REQUIRED_IDS


def test_the_3020_is_superseded_by_the_3018_and_has_no_channel(knowledge: Knowledge) -> None:
    entry = knowledge.directory.get("3020")
    assert entry.status == "superseded"
    assert entry.superseded_by == "3018"
    assert entry.channels == []
    assert entry.status_note is not None and "3018" in entry.status_note.fr


def test_the_oclctic_became_the_ofac_which_has_no_public_contact(knowledge: Knowledge) -> None:
    entry = knowledge.directory.get("ofac")
    assert entry.status == "no_public_contact"
    assert "OCLCTIC" in entry.name.fr
    assert set(entry.alternatives) >= {"pharos", "plainte"}


def test_sos_cyberharcelement_is_unverified_and_names_real_alternatives(
    knowledge: Knowledge,
) -> None:
    entry = knowledge.directory.get("sos-cyberharcelement")
    assert entry.status == "unverified"
    assert entry.channels == []
    assert entry.alternatives
    assert all(knowledge.directory.get(a).status == "active" for a in entry.alternatives)


def test_the_3018_facts(knowledge: Knowledge) -> None:
    entry = knowledge.directory.get("3018")
    assert entry.status == "active"
    assert entry.hours is not None and entry.hours.public_holidays == "open"
    kinds = {c.kind for c in entry.channels}
    assert {"phone", "chat", "messaging", "app"} <= kinds
    assert any("signaleur de confiance" in t.fr for t in entry.can_do)


def test_pharos_says_what_it_is_not(knowledge: Knowledge) -> None:
    entry = knowledge.directory.get("pharos")
    text = " ".join(t.fr.lower() for t in entry.does_not_handle)
    for words in ("plainte", "urgence", "privé", "injur"):
        assert words in text, words
    assert entry.hours is not None and entry.hours.always_open


def test_stopncii_is_for_adults_only(knowledge: Knowledge) -> None:
    assert knowledge.directory.get("stopncii").audience.min_age == 18


@pytest.mark.parametrize("field", ["name", "short_name", "summary", "cost", "anonymity"])
def test_every_entry_speaks_french_and_english(knowledge: Knowledge, field: str) -> None:
    for entry in entries(knowledge):
        text = getattr(entry, field)
        assert text.fr and text.en and text.fr != "" and text.en != "", (entry.id, field)


def test_every_entry_is_sourced_and_dated(knowledge: Knowledge) -> None:
    for entry in entries(knowledge):
        assert entry.sources, entry.id
        assert all(s.url.startswith("https://") for s in entry.sources), entry.id
        assert entry.last_checked.year >= 2026, entry.id


def test_known_disagreements_are_recorded(knowledge: Knowledge) -> None:
    # research/domain.md §7: C1 (3018 hours), C4 (Pharos), C6 (116 006), C7 (3919), C11 (3020).
    for entry_id in ("3018", "pharos", "116006", "3919", "3020"):
        assert knowledge.directory.get(entry_id).disagreements, entry_id


def test_emergency_numbers_answer_around_the_clock(knowledge: Knowledge) -> None:
    for entry_id in ("17", "112", "114", "15", "3114", "119", "3919"):
        hours = knowledge.directory.get(entry_id).hours
        assert hours is not None and hours.always_open, entry_id


def test_the_114_is_not_a_voice_number(knowledge: Knowledge) -> None:
    entry = knowledge.directory.get("114")
    assert "phone" not in {c.kind for c in entry.channels}
    assert "sms" in {c.kind for c in entry.channels}


def test_the_json_schemas_in_the_repository_are_current() -> None:
    folder = Path(__file__).resolve().parent.parent / "schema"
    for name, schema in json_schemas().items():
        written = json.loads((folder / name).read_text("utf-8"))
        assert written == schema, f"schema/{name} is stale: run `make schema`"
