"""WhatsApp exports: golden files per phone system and language, properties, edge cases."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.domain.chat.whatsapp import parse_whatsapp
from recours.errors import ChatParseError

GOLDEN = Path(__file__).parent / "golden" / "whatsapp"
CASES = sorted(p.stem for p in GOLDEN.glob("*.txt"))


def test_the_golden_corpus_is_there() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    data = (GOLDEN / f"{case}.txt").read_bytes()
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text("utf-8"))
    if "error" in expected:
        with pytest.raises(ChatParseError) as caught:
            parse_whatsapp(data)
        assert caught.value.code == expected["error"]
        return
    result = parse_whatsapp(data).as_json()
    assert result["date_order"] == expected["date_order"]
    assert len(result["entries"]) == len(expected["entries"])
    for got, want in zip(result["entries"], expected["entries"], strict=True):
        assert got == want, (case, want["lines"])


def test_text_is_kept_verbatim_and_lines_point_into_the_file() -> None:
    raw = "14/07/2026 09:05 - Léa: salut  \n  ça va ?\u200e\n\n15/07/2026 10:00 - Hugo: 😡 arrête\n"
    result = parse_whatsapp(raw.encode())
    first, second = result.entries
    assert first.text == "salut  \n  ça va ?\u200e\n"
    assert first.lines == (1, 3) and second.lines == (4, 4)
    assert second.author == "Hugo" and second.text == "😡 arrête"


def test_the_date_order_can_be_given_when_the_file_cannot_tell() -> None:
    raw = b"01/02/2026 09:05 - L\xc3\xa9a: a\n03/02/2026 09:06 - Hugo: b\n"
    with pytest.raises(ChatParseError) as caught:
        parse_whatsapp(raw)
    assert caught.value.code == "ambiguous_date_order"
    assert parse_whatsapp(raw, date_order="mdy").entries[0].timestamp.month == 1
    assert parse_whatsapp(raw, date_order="dmy").entries[0].timestamp.month == 2


def test_time_zone_and_daylight_saving() -> None:
    raw = b"29/03/2026 01:30 - a: x\n29/03/2026 03:30 - a: y\n25/10/2026 02:30 - a: z\n"
    stamps = [e.timestamp.isoformat() for e in parse_whatsapp(raw).entries]
    assert stamps == ["2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-10-25T02:30:00+02:00"]
    other = parse_whatsapp(raw, tz="America/Martinique").entries[0].timestamp
    assert other.utcoffset() is not None and other.utcoffset().total_seconds() == -4 * 3600


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_whatsapp"),
        (b"bonjour\n", "not_whatsapp"),
        (b"14/07/2026 09:05 - L\xe9a: latin-1\n", "not_utf8"),
        (b"31/02/2026 09:05 - a: x\n", "bad_date"),
        (b"13/14/2026 09:05 - a: x\n", "inconsistent_dates"),
    ],
)
def test_unreadable_files_get_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(ChatParseError) as caught:
        parse_whatsapp(data)
    assert caught.value.code == code and caught.value.fr


@settings(max_examples=500, deadline=None)
@given(
    st.binary(max_size=2000) | st.text(max_size=500).map(lambda t: ("14/07/2026 09:05 - a: " + t).encode())
)
def test_any_input_parses_or_raises_the_parse_error(data: bytes) -> None:
    start = time.monotonic()
    try:
        result = parse_whatsapp(data)
    except ChatParseError:
        return
    finally:
        assert time.monotonic() - start < 1.0
    assert all(e.lines[0] <= e.lines[1] for e in result.entries)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Léa", "Hugo 🎮", "+33 6 12 34 56 78"]),
            st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=80),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_written_chat_round_trips(messages: list[tuple[str, str]]) -> None:
    lines = [
        f"{14 + n % 10:02d}/07/2026 {n % 24:02d}:{n % 60:02d} - {author}: {text}"
        for n, (author, text) in enumerate(messages)
    ]
    result = parse_whatsapp(("\n".join(lines) + "\n").encode())
    assert [(e.author, e.text) for e in result.entries if e.kind == "message"] == [
        (author, text.removeprefix("\u200e")) for author, text in messages
    ]
