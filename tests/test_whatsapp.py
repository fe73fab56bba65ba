"""WhatsApp exports: golden files per phone system and language, properties, edge cases."""

from __future__ import annotations

import gc
import itertools
import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from recours.domain.chat import whatsapp
from recours.domain.chat.whatsapp import DELETED, HEADER, MEDIA_OMITTED, parse_whatsapp
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


# The fast path (one regex made for the file's own header shape, records built column by column)
# must give exactly what the general path gives, or give up. Compared here on the golden files and
# on random exports.


def _outcome(data: bytes, date_order: Any, *, fast: bool) -> object:
    """Everything a parse says: entries with the timestamps' fold and zone, or the error."""
    try:
        parsed = whatsapp._parse(data, "Europe/Paris", date_order, fast=fast)
    except ChatParseError as error:
        return error.code, error.fr, error.en
    # The columns first: the fast path gives them, its entries are then built from them.
    return (
        parsed.date_order,
        parsed.columns(),
        [(e.timestamp.isoformat(), e.timestamp.fold, e.timestamp.tzinfo, *e[1:]) for e in parsed.entries],
    )


@pytest.mark.parametrize("case", [c for c in CASES if c not in ("ambiguous-dates", "not-whatsapp")])
def test_golden_files_take_the_fast_path(case: str) -> None:
    data = (GOLDEN / f"{case}.txt").read_bytes()
    text, first = whatsapp._start(data)
    assert whatsapp._fast(text, first, "Europe/Paris", None) is not None
    assert _outcome(data, None, fast=True) == _outcome(data, None, fast=False)


def test_the_spaces_list_is_what_strip_removes() -> None:
    assert set(whatsapp._SPACES) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


def test_the_garbage_collector_is_left_as_found() -> None:
    data = b"14/07/2026 09:05 - a: x\n15/07/2026 09:05 - b: y\n"
    assert gc.isenabled()
    parse_whatsapp(data)
    assert gc.isenabled()
    with pytest.raises(ChatParseError):
        parse_whatsapp(b"31/02/2026 09:05 - a: x\n")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_whatsapp(data)
        assert not gc.isenabled()
    finally:
        gc.enable()


_DAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 7, 14), date(2026, 1, 5), date(2025, 12, 31)]
_AUTHORS = ["Léa", "Hugo 🎮", "+33 6 12 34 56 78", "Zoé B.", "\u200eLéa", "a:b", "", "Jean: Paul"]
_SPACE_VARIANTS = [" ", "\u202f", "\xa0"]
# Not headers, but they tell day-first from month-first as much as headers do.
_DATED_LINES = ["13/12/2026 sans heure", "12/13/2026 sans heure", "\u200e[12/13/26 sans heure"]
_LINE_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=30)


@st.composite
def _exports(draw: st.DrawFn) -> tuple[bytes, str | None, bool]:
    """A WhatsApp-like export of random shape: (bytes, date order to pass, every header has the
    shape of the first and no other line is a header)."""
    ios = draw(st.booleans())
    order = draw(st.sampled_from(["dmy", "mdy", "ymd"]))
    separator = draw(st.sampled_from("/.-"))
    padded, four_digit_year, twelve_hour, seconds, mixed_spaces = (draw(st.booleans()) for _ in range(5))
    joiner = draw(st.sampled_from([", ", " "] if ios else [", ", " ", " à ", "  "]))
    meridiems = draw(st.sampled_from([("AM", "PM"), ("am", "pm"), ("a. m.", "p. m.")]))
    meridiem_space = draw(st.sampled_from(["", *_SPACE_VARIANTS]))

    def number(n: int) -> str:
        return f"{n:02d}" if padded else str(n)

    def header(moment: datetime) -> str:
        year = f"{moment.year:04d}" if four_digit_year else f"{moment.year % 100:02d}"
        fields = {"dmy": (number(moment.day), number(moment.month), year)}
        fields["mdy"] = (number(moment.month), number(moment.day), year)
        fields["ymd"] = (year, number(moment.month), number(moment.day))
        hour = (moment.hour % 12 or 12) if twelve_hour else moment.hour
        time = f"{number(hour)}:{moment.minute:02d}" + (f":{moment.second:02d}" if seconds else "")
        space = draw(st.sampled_from(_SPACE_VARIANTS)) if mixed_spaces else " "
        if twelve_hour:
            time += (space if meridiem_space else "") + meridiems[moment.hour >= 12]
        mark = draw(st.sampled_from(["", "", "\u200e", "\u200e\u200f"]))
        stamp = separator.join(fields[order]) + joiner + time
        return f"{mark}[{stamp}] " if ios else f"{mark}{stamp}{space}-{space}"

    lines: list[tuple[str, bool]] = []  # (line, written as a header)
    # Lines before the first header count for the date order too.
    lines += [
        (line, False) for line in draw(st.lists(st.sampled_from(["Exportée", *_DATED_LINES]), max_size=2))
    ]
    for _ in range(draw(st.integers(1, 12))):
        moment = datetime.combine(draw(st.sampled_from(_DAYS)), datetime.min.time()) + timedelta(
            seconds=draw(st.integers(0, 86_399))
        )
        head = header(moment)
        body, more = draw(_bodies(head))
        lines.append((head + body, True))
        lines += [(line, False) for line in more]
    clean = all((HEADER.match(line.encode()) is not None) == is_header for line, is_header in lines)
    data = "\n".join(line for line, _ in lines) + draw(st.sampled_from(["", "\n", "\n\n"]))
    if draw(st.booleans()):
        data = data.replace("\n", "\r\n")
    if draw(st.booleans()):
        data = "\ufeff" + data
    return data.encode(), draw(st.sampled_from([None, order])), clean


def _bodies(head: str) -> st.SearchStrategy[tuple[str, list[str]]]:
    """What follows a header: a body's first line, then its continuation lines."""
    author = st.sampled_from(_AUTHORS)
    edges = st.text(st.sampled_from(" \t\xa0\u202f\u2028"), max_size=2)
    marker = st.sampled_from(sorted(MEDIA_OMITTED | DELETED)).map(lambda m: m + "." * (len(m) % 3))
    attachment = st.sampled_from(
        [
            "IMG-0001.jpg (fichier joint)",
            "doc.pdf (file attached)",
            "< pièce jointe : x.opus >",
            "<attached: a.jpg>",
        ]
    )
    notice = st.sampled_from(
        [
            "Les messages et les appels sont chiffrés de bout en bout.",
            "Léa a ajouté Hugo",
            "Missed voice call",
        ]
    )
    text = st.one_of(
        _LINE_TEXT,
        st.tuples(edges, _LINE_TEXT | marker | attachment, edges).map("".join),
        marker,
        attachment,
        st.tuples(st.just("\u200e"), marker | notice | _LINE_TEXT).map("".join),
    )
    first_line = st.one_of(
        st.tuples(author, st.just(": "), text).map("".join),
        notice,
        author.map(lambda name: name + ":"),
        _LINE_TEXT,
    )
    almost = [
        head.rstrip(),  # no space after the dash or bracket
        head.replace(" - ", " – "),
        head.lstrip("\u200e[")[:-2],
        "13/14/2026, 10:00 - x",  # a real header of another shape: the fast path must give up
        "[7/14/26, 9:05:12 PM] x",
        "12/13 rendez-vous",
        "",
        *_DATED_LINES,
    ]
    # The header with one character dropped, doubled or inserted: near misses of every kind,
    # mostly around its separators (where the specialised regex could be too lenient).
    anywhere = st.integers(0, len(head) - 1)
    separators = st.sampled_from([i for i, c in enumerate(head) if not c.isdigit()])
    dropped = (anywhere | separators).map(lambda i: head[:i] + head[i + 1 :])
    doubled = (anywhere | separators).map(lambda i: head[:i] + head[i:])
    inserted = st.tuples(anywhere | separators, st.sampled_from("0123456789 :./-,[]APM\u202f")).map(
        lambda at: head[: at[0]] + at[1] + head[at[0] :]
    )
    continuation = st.one_of(dropped, doubled, inserted, st.sampled_from(almost), _LINE_TEXT, marker)
    return st.tuples(first_line, st.lists(continuation, max_size=3))


@settings(max_examples=500, deadline=None)
@given(_exports(), st.integers(1, 400))
# Cases that a too lenient fast path would get wrong, always tried first.
@example((b"12/13/2026 x\n13/12/2026 y\n01/05/2026, 09:05 - a: x\n", None, False), 400)
@example((b"14/07/2026 09:05 - a: x\n14/07/2026 09:06 -- b: y\n", None, False), 1)
@example((b"14/07/2026 09:05 - a: x\n14/07/2026 9:5 - b: y\n", None, False), 1)
@example((b"14/07/2026 09:05 - a: x\n14/07/2026 09:05 AM - b: y\n", None, False), 1)
@example((b"01/02/2026 09:05 - a: x\n", None, False), 1)
@example((b"14/07/2026 09:05 - a: x\n14/07/2026 24:05 - b: y\n", None, False), 1)
@example((b"[14/07/2026 09:05:12] a: x\n[14/07/2026 09:05:60] b: y\n", None, False), 1)
@example((b"14/07/2026 09:05 - a: x\n14/07/2026 09:60 - b: y\n31/02/2026 09:05 - c: z", None, False), 1)
@example((b"7/14/26, 13:05\xe2\x80\xafPM - a: x\n7/14/26, 0:05 AM - b: y", "mdy", True), 1)
@example(
    (b"\xe2\x80\x8e01/02/2026 09:05 - a: x\n\xe2\x80\x8f13/02/2026 09:05 - b: \xe2\x80\x8ey\n", None, True), 1
)
def test_the_fast_path_gives_the_general_result_or_gives_up(
    export: tuple[bytes, str | None, bool], block: int
) -> None:
    data, date_order, clean = export
    with mock.patch.object(whatsapp, "_BLOCK", block):  # blocks of a few messages: many boundaries
        assert _outcome(data, date_order, fast=True) == _outcome(data, date_order, fast=False)
        try:
            text, first = whatsapp._start(data)
            reference = whatsapp._parse(data, "Europe/Paris", date_order, fast=False)  # type: ignore[arg-type]
        except ChatParseError:
            return
        fast = whatsapp._fast(text, first, "Europe/Paris", date_order)  # type: ignore[arg-type]
    event("fast path" if fast is not None else "general path")
    if clean:  # one header shape and no header elsewhere: the fast path must not give up
        assert fast is not None and not fast.entries_built
        assert fast.date_order == reference.date_order and fast.columns() == reference.columns()
        assert fast.entries == reference.entries


# The fast path writes each timestamp as day + time + the day's UTC offset, read once per day
# (isoformat itself on the days the clocks change): it must be isoformat's text to the letter.
_ZONES = [
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",  # DST of 30 minutes
    "Asia/Kolkata",  # +05:30, no DST
    "America/Santiago",  # clocks change at midnight
    "Europe/Dublin",  # "negative" DST in the tz database
    "Pacific/Apia",  # skipped 30 December 2011 entirely
    "America/St_Johns",
    "UTC",
]


def _clock_change_days(name: str) -> list[date]:
    """The days around each change of a zone's offset, 1995–2030 (found day by day)."""
    zone = ZoneInfo(name)
    days: set[date] = set()
    moment = datetime(1995, 1, 1, 12, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment.year < 2031:
        moment += timedelta(days=1)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            local = moment.astimezone(zone).date()
            days.update(local + timedelta(days=n) for n in (-2, -1, 0, 1))
        previous = offset
    return sorted(days)


_CHANGE_DAYS = {name: _clock_change_days(name) for name in _ZONES}


@st.composite
def _stamped_export(draw: st.DrawFn) -> tuple[str, bool, list[datetime]]:
    """A time zone, whether the headers have seconds (iOS) or not (Android), the wall times."""
    name = draw(st.sampled_from(_ZONES))
    ios = draw(st.booleans())
    days = st.dates(date(1890, 1, 1), date(2100, 12, 31))
    if _CHANGE_DAYS[name]:
        days = st.sampled_from(_CHANGE_DAYS[name]) | days
    # Most changes happen at night: times then, or anywhere in the day.
    seconds = st.integers(0, 5 * 3600) | st.integers(0, 86_399)
    moments = []
    for _ in range(draw(st.integers(1, 20))):
        moment = datetime.combine(draw(days), datetime.min.time()) + timedelta(seconds=draw(seconds))
        moments.append(moment if ios else moment.replace(second=0))
    return name, ios, moments


@settings(max_examples=600, deadline=None)
@given(_stamped_export(), st.integers(1, 200))
@example(("Europe/Paris", False, [datetime(2026, 3, 29, 2, 30), datetime(2026, 10, 25, 2, 30)]), 1)
@example(("Australia/Lord_Howe", True, [datetime(2026, 4, 5, 1, 45, 7), datetime(2026, 10, 4, 2, 15)]), 1)
@example(("America/Santiago", False, [datetime(2026, 9, 6, 0, 30), datetime(2026, 4, 4, 23, 30)]), 1)
@example(("Europe/Paris", True, [datetime(1900, 1, 1, 12, 0, 1)]), 1)  # offset +00:09:21
def test_timestamps_are_written_as_isoformat_writes_them(
    export: tuple[str, bool, list[datetime]], block: int
) -> None:
    name, ios, moments = export
    zone = ZoneInfo(name)
    if ios:
        lines = [f"[{m:%d/%m/%Y %H:%M:%S}] a: x" for m in moments]
    else:
        lines = [f"{m:%d/%m/%Y, %H:%M} - a: x" for m in moments]
    with mock.patch.object(whatsapp, "_BLOCK", block):
        parsed = parse_whatsapp("\n".join(lines).encode(), tz=name, date_order="dmy")
    assert not parsed.entries_built  # the fast path: columns, written directly
    expected = [m.replace(tzinfo=zone) for m in moments]
    assert parsed.columns()["timestamp"] == [m.isoformat() for m in expected]
    got = [e.timestamp for e in parsed.entries]
    assert [(m.isoformat(), m.fold, m.tzinfo) for m in got] == [(m.isoformat(), 0, zone) for m in expected]


def test_no_zone_changes_its_offset_twice_within_two_days() -> None:
    """What the fast path's per-day offset rests on (see _FastPath.day), over the tz database
    installed (its explicit transitions, read by the pure-Python zoneinfo)."""
    from zoneinfo import _zoneinfo, available_timezones

    for name in available_timezones():
        transitions = _zoneinfo.ZoneInfo.no_cache(name)._trans_utc  # type: ignore[attr-defined]
        assert all(b - a >= 2 * 86_400 for a, b in itertools.pairwise(transitions)), name
