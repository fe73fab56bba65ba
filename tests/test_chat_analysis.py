"""The analysis of a chat, on constructed chats whose repetition and raids are known.

The signal scanner here is a tiny word list (``WORDS``), so each test states exactly which
messages are hostile; the real French pack has its own corpus tests (test_signals.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from recours.domain.chat.analysis import (
    ChatColumns,
    Filters,
    RaidRule,
    _earlier,
    _first_and_last,
    _fold,
    analyse,
    scan_each,
)

PARIS = ZoneInfo("Europe/Paris")
WORDS = {"bouffonne": "insult", "crève": "suicide_incitement", "tuer": "death_threat"}
_WORD = re.compile("|".join(WORDS))


class FakeHit(NamedTuple):
    rule_id: str
    category: str
    severity: str
    start: int
    end: int
    context: str


def scan(text: str) -> Sequence[FakeHit]:
    hits = []
    for match in _WORD.finditer(text):
        quoted = text[: match.start()].count("«") > text[: match.start()].count("»")
        category = WORDS[match.group(0)]
        severity = "critical" if category != "insult" else "medium"
        hits.append(
            FakeHit(
                "t." + match.group(0),
                category,
                severity,
                match.start(),
                match.end(),
                "quoted" if quoted else "direct",
            )
        )
    return hits


def chat(*messages: tuple[str, str | None, str], item: str = "I1") -> ChatColumns:
    """Messages as (local time "2026-03-14 09:05", author or None for a system event, text)."""
    stamps = [datetime.fromisoformat(when).replace(tzinfo=PARIS).isoformat() for when, _, _ in messages]
    return ChatColumns(
        items=[item] * len(messages),
        positions=list(range(len(messages))),
        timestamps=stamps,
        authors=[author for _, author, _ in messages],
        kinds=["message" if author else "system" for _, author, _ in messages],
        texts=[text for _, _, text in messages],
    )


GROUP = chat(
    ("2026-03-02 08:00", None, "Hugo a ajouté Léa"),
    ("2026-03-02 08:01", "Hugo", "salut tout le monde"),
    ("2026-03-02 08:02", "Léa", "salut !"),
    ("2026-03-02 21:00", "Hugo", "Léa t'es une bouffonne"),
    ("2026-03-02 21:05", "Inès", "@Léa bouffonne va"),
    ("2026-03-02 21:07", "Noah", "mdr"),
    ("2026-03-03 07:30", "Noah", "Léa crève"),
    ("2026-03-09 18:00", "Hugo", "bouffonne Léa"),
    ("2026-03-09 18:01", "Léa", "il m'a dit « bouffonne » devant tout le monde"),
    ("2026-03-20 12:00", "Hugo", "on va te tuer Léa"),
)


def test_per_author_figures() -> None:
    result = analyse(GROUP, scan)
    by_author = {a.author: a.as_json() for a in result.authors}
    assert by_author["Hugo"] == {
        "author": "Hugo",
        "messages": 4,
        "active_days": 3,
        "first": "2026-03-02T08:01:00+01:00",
        "last": "2026-03-20T12:00:00+01:00",
        "hostile": 3,
        "hostile_share": 0.75,
    }
    assert by_author["Léa"]["hostile"] == 0  # quoting an insult is not writing one
    assert [a.author for a in result.authors] == ["Hugo", "Léa", "Noah", "Inès"]
    assert result.messages == 9  # the system event is not a message


def test_days_and_hours() -> None:
    result = analyse(GROUP, scan)
    assert result.days == [
        ("2026-03-02", 5, 2),
        ("2026-03-03", 1, 1),
        ("2026-03-09", 2, 1),
        ("2026-03-20", 1, 1),
    ]
    hours = {h: (m, n) for h, m, n in result.hours}
    assert len(result.hours) == 24
    assert hours[21] == (3, 2)
    assert hours[8] == (2, 0)
    assert hours[3] == (0, 0)


def test_repetition_lists_each_hostile_day() -> None:
    repetition = {r.author: r.as_json() for r in analyse(GROUP, scan).repetition}
    assert repetition["Hugo"] == {
        "author": "Hugo",
        "hostile": 3,
        "days": ["2026-03-02", "2026-03-09", "2026-03-20"],
        "first": "2026-03-02",
        "last": "2026-03-20",
        "span_days": 18,
        "repeated": True,
    }
    assert repetition["Inès"]["repeated"] is False
    assert "Léa" not in repetition


def test_targets_by_mention_and_by_name() -> None:
    result = analyse(GROUP, scan)
    ines = next(s for s in result.signals if s.author == "Inès")
    assert ines.targets == (("Léa", "mention"),)
    hugo = next(s for s in result.signals if s.author == "Hugo")
    assert hugo.targets == (("Léa", "name"),)
    assert ("Hugo", "Léa", 3) in result.targets


def test_a_raid_is_several_people_within_the_window() -> None:
    raids = analyse(GROUP, scan).raids
    assert [r.as_json() for r in raids] == [
        {
            "target": "Léa",
            "start": "2026-03-02T21:00:00+01:00",
            "end": "2026-03-03T07:30:00+01:00",
            "authors": ["Hugo", "Inès", "Noah"],
            "hostile": 3,
            "messages": ["I1#3", "I1#4", "I1#6"],
        }
    ]


def test_a_narrower_window_or_a_higher_threshold_finds_less() -> None:
    narrow = analyse(GROUP, scan, raid_rule=RaidRule(window=timedelta(minutes=10)))
    assert [r.authors for r in narrow.raids] == [("Hugo", "Inès")]
    assert analyse(GROUP, scan, raid_rule=RaidRule(min_authors=4)).raids == []


def test_one_person_alone_is_never_a_raid() -> None:
    alone = chat(*((f"2026-03-0{d} 10:00", "Hugo", "Léa bouffonne") for d in range(1, 8)))
    result = analyse(alone, scan)
    assert result.raids == []
    assert result.repetition[0].days == tuple(f"2026-03-0{d}" for d in range(1, 8))


def test_in_a_two_person_chat_the_other_one_is_the_target() -> None:
    direct = chat(("2026-03-01 10:00", "Hugo", "bouffonne"), ("2026-03-01 10:01", "Léa", "arrête"))
    assert analyse(direct, scan).signals[0].targets == (("Léa", "conversation"),)


def thread(*messages: tuple[str, str, str, str, str | None], item: str = "I1") -> ChatColumns:
    """Messages with ids, as (local time, author, text, own id, id of the message replied to)."""
    columns = chat(*((when, author, text) for when, author, text, _, _ in messages), item=item)
    return columns._replace(source_ids=[m[3] for m in messages], reply_tos=[m[4] for m in messages])


def joined(*parts: ChatColumns) -> ChatColumns:
    """Several imports analysed together, as services.analysis reads them."""
    return ChatColumns(
        *([value for part in parts for value in part[n]] for n in range(len(ChatColumns._fields)))
    )


def test_a_reply_targets_the_author_of_the_message_replied_to() -> None:
    result = analyse(
        thread(
            ("2026-03-02 20:00", "Hugo", "qui vient demain ?", "1", None),
            ("2026-03-02 20:01", "Léa", "moi je viens", "2", None),
            ("2026-03-02 20:02", "Inès", "t'es une bouffonne", "3", "2"),
        ),
        scan,
    )
    assert [s.targets for s in result.signals] == [(("Léa", "reply"),)]
    assert result.as_json()["signals"][0]["targets"] == [{"name": "Léa", "via": "reply"}]
    assert result.targets == [("Inès", "Léa", 1)]


def test_a_mention_outranks_a_reply_which_outranks_a_name() -> None:
    result = analyse(
        thread(
            ("2026-03-02 20:00", "Hugo", "salut", "1", None),
            ("2026-03-02 20:01", "Léa", "moi je viens", "2", None),
            ("2026-03-02 20:02", "Inès", "@Léa bouffonne", "3", "2"),
            ("2026-03-02 20:03", "Inès", "Léa bouffonne", "4", "2"),
            ("2026-03-02 20:04", "Inès", "Hugo bouffonne", "5", "2"),
        ),
        scan,
    )
    assert [s.targets for s in result.signals] == [
        (("Léa", "mention"),),
        (("Léa", "reply"),),
        (("Hugo", "name"), ("Léa", "reply")),  # several targets: the one named, the one answered
    ]


def test_a_reply_to_ones_own_message_targets_nobody_new() -> None:
    group = thread(
        ("2026-03-02 20:00", "Hugo", "salut", "1", None),
        ("2026-03-02 20:01", "Léa", "salut", "2", None),
        ("2026-03-02 20:02", "Inès", "je reviens", "3", None),
        ("2026-03-02 20:03", "Inès", "bouffonne", "4", "3"),
    )
    assert analyse(group, scan).signals[0].targets == ()
    two = thread(
        ("2026-03-02 20:00", "Hugo", "je reviens", "1", None),
        ("2026-03-02 20:01", "Léa", "ok", "2", None),
        ("2026-03-02 20:02", "Hugo", "bouffonne", "3", "1"),
    )
    assert analyse(two, scan).signals[0].targets == (("Léa", "conversation"),)


def test_a_reply_to_an_unknown_message_falls_back_to_the_other_rules() -> None:
    group = thread(
        ("2026-03-02 20:00", "Hugo", "salut", "1", None),
        ("2026-03-02 20:01", "Léa", "salut", "2", None),
        ("2026-03-02 20:02", "Inès", "bouffonne Léa", "3", "999"),
        ("2026-03-02 20:03", "Inès", "bouffonne", "4", "999"),
    )
    assert [s.targets for s in analyse(group, scan).signals] == [(("Léa", "name"),), ()]
    two = thread(
        ("2026-03-02 20:00", "Léa", "ok", "1", None), ("2026-03-02 20:01", "Hugo", "bouffonne", "2", "0")
    )
    assert analyse(two, scan).signals[0].targets == (("Léa", "conversation"),)


def test_a_reply_is_resolved_within_its_own_export_only() -> None:
    # Ids are per export: "2" in the second export is not Léa's message of the first one.
    first = thread(("2026-03-02 20:00", "Léa", "salut", "2", None), item="I1")
    second = thread(
        ("2026-03-03 20:00", "Hugo", "salut", "1", None),
        ("2026-03-03 20:01", "Noah", "salut", "2", None),
        ("2026-03-03 20:02", "Inès", "bouffonne", "3", "2"),
        item="I2",
    )
    signal = analyse(joined(first, second), scan).signals[0]
    assert (signal.ref, signal.targets) == ("I2#2", (("Noah", "reply"),))


def test_a_reply_keeps_its_target_when_the_message_replied_to_is_filtered_out() -> None:
    columns = thread(
        ("2026-03-01 20:00", "Léa", "moi je viens", "1", None),
        ("2026-03-02 20:00", "Hugo", "salut", "2", None),
        ("2026-03-02 20:02", "Inès", "t'es une bouffonne", "3", "1"),
    )
    only_ines = analyse(columns, scan, filters=Filters(author="Inès", since=date(2026, 3, 2)))
    assert only_ines.signals[0].targets == (("Léa", "reply"),)


def test_a_pile_on_found_only_through_replies() -> None:
    rows = (
        ("2026-03-02 20:00", "Léa", "j'ai eu 18 en maths", "10", None),
        ("2026-03-02 20:05", "Hugo", "bouffonne", "11", "10"),
        ("2026-03-02 20:20", "Inès", "quelle bouffonne", "12", "10"),
        ("2026-03-02 20:50", "Noah", "bouffonne va", "13", "10"),
        ("2026-03-02 21:30", "Sami", "arrêtez", "14", None),
    )
    raids = analyse(thread(*rows), scan).raids
    assert [r.as_json() for r in raids] == [
        {
            "target": "Léa",
            "start": "2026-03-02T20:05:00+01:00",
            "end": "2026-03-02T20:50:00+01:00",
            "authors": ["Hugo", "Inès", "Noah"],
            "hostile": 3,
            "messages": ["I1#1", "I1#2", "I1#3"],
        }
    ]
    # Without the replies, the same messages name nobody: a pile-on at no one in particular.
    blind = analyse(chat(*((when, author, text) for when, author, text, _, _ in rows)), scan)
    assert [r.target for r in blind.raids] == [None]


def test_filters() -> None:
    only_hugo = analyse(GROUP, scan, filters=Filters(author="Hugo"))
    assert {s.author for s in only_hugo.signals} == {"Hugo"}
    march_9_on = analyse(GROUP, scan, filters=Filters(since=date(2026, 3, 9)))
    assert [s.timestamp[:10] for s in march_9_on.signals] == ["2026-03-09", "2026-03-09", "2026-03-20"]
    until = analyse(GROUP, scan, filters=Filters(until=date(2026, 3, 2)))
    assert until.messages == 5
    threats = analyse(GROUP, scan, filters=Filters(category="death_threat"))
    assert [s.text for s in threats.signals] == ["on va te tuer Léa"]


def test_signal_json_has_the_verbatim_text_and_span() -> None:
    result = analyse(GROUP, scan, highlights=[("I1", 9)])
    threat = result.as_json()["signals"][-1]
    assert threat["text"] == "on va te tuer Léa"
    assert threat["category"] == "death_threat"
    assert threat["span"] == [9, 13]
    assert threat["text"][9:13] == "tuer"
    assert threat["rules"] == ["t.tuer"]
    assert threat["highlighted"] is True
    quoted = next(s for s in result.as_json()["signals"] if s["author"] == "Léa")
    assert quoted["hostile"] is False
    assert quoted["hits"][0]["context"] == "quoted"


def test_out_of_order_lines_and_dst() -> None:
    # 2026-10-25: clocks go back at 03:00 in Paris; the second 02:30 is an hour later.
    columns = ChatColumns(
        items=["I"] * 3,
        positions=[0, 1, 2],
        timestamps=["2026-10-25T02:30:00+01:00", "2026-10-25T02:45:00+02:00", "2026-10-24T10:00:00+02:00"],
        authors=["A", "A", "A"],
        kinds=["message"] * 3,
        texts=["x", "y", "z"],
    )
    figures = analyse(columns, scan).authors[0]
    assert figures.first == "2026-10-24T10:00:00+02:00"
    assert figures.last == "2026-10-25T02:30:00+01:00"


def test_an_empty_selection() -> None:
    result = analyse(GROUP, scan, filters=Filters(author="Personne"))
    assert result.messages == 0
    assert result.first is None
    assert result.as_json()["authors"] == []


@settings(deadline=2000, max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 60 * 24 * 20),
            st.sampled_from(["A", "B", "C", "D"]),
            st.sampled_from(["bouffonne", "salut", "crève B", "@C tuer", "ok"]),
        ),
        max_size=60,
    ),
    st.integers(1, 48),
    st.integers(2, 4),
)
def test_raid_properties(rows: list[tuple[int, str, str]], hours: int, min_authors: int) -> None:
    """Every raid has enough authors within its episode, covers only hostile messages, and
    every hostile message that has min_authors hostile authors around it is in a raid."""
    start = datetime(2026, 3, 1, tzinfo=PARIS)
    rows.sort()
    columns = ChatColumns(
        items=["I"] * len(rows),
        positions=list(range(len(rows))),
        timestamps=[(start + timedelta(minutes=m)).isoformat() for m, _, _ in rows],
        authors=[a for _, a, _ in rows],
        kinds=["message"] * len(rows),
        texts=[t for _, _, t in rows],
    )
    rule = RaidRule(window=timedelta(hours=hours), min_authors=min_authors)
    result = analyse(columns, scan, raid_rule=rule)
    hostile = {s.ref: s for s in result.signals if s.hostile}
    in_raids = set()
    for raid in result.raids:
        assert len(raid.authors) >= min_authors
        assert set(raid.refs) <= set(hostile)
        in_raids |= {(raid.target, ref) for ref in raid.refs}
    for signal in hostile.values():
        moment = datetime.fromisoformat(signal.timestamp)
        for target in {t for t, _ in signal.targets} or {None}:
            around = {
                s.author
                for s in hostile.values()
                if target in ({t for t, _ in s.targets} or {None})
                and moment <= datetime.fromisoformat(s.timestamp) <= moment + rule.window
            }
            if len(around) >= min_authors:
                assert (target, signal.ref) in in_raids


class BatchScanner:
    """Scans many texts at once, as the signal matcher does, with the same word list."""

    def __init__(self) -> None:
        self.calls = 0

    def scan_many(self, texts: Sequence[str]) -> dict[int, Sequence[FakeHit]]:
        self.calls += 1
        return dict(scan_each(scan)(texts))


def test_a_batch_scanner_gives_the_same_analysis_in_one_call() -> None:
    batch = BatchScanner()
    for filters in [Filters(), Filters(author="Hugo"), Filters(category="death_threat")]:
        assert (
            analyse(GROUP, batch, filters=filters).as_json()
            == analyse(GROUP, scan, filters=filters).as_json()
        )
    assert batch.calls == 3


def first_and_last_one_by_one(
    authors: list[str | None], stamps: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The definition: records read in order; a stamp replaces only a strictly earlier/later one."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for author, stamp in zip(authors, stamps, strict=True):
        if author is None:
            continue
        if author not in first or _earlier(stamp, first[author]):
            first[author] = stamp
        if author not in last or _earlier(last[author], stamp):
            last[author] = stamp
    return first, last


ZONES = [PARIS, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), UTC]


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", None]),
            st.sampled_from([0, 5, 60, 65, 120, 150, 180, 185, 240]),
            st.sampled_from(ZONES),
            st.sampled_from([0, 0, 500_000]),
        ),
        max_size=40,
    ),
    st.booleans(),
    st.booleans(),
)
@example(rows=[("A", 60, ZONES[1], 0), ("A", 60, ZONES[2], 0), ("A", 60, ZONES[1], 0)], one_zone=False, in_order=False)
@example(rows=[("A", 60, ZONES[2], 0), ("A", 60, ZONES[1], 0), ("A", 60, ZONES[2], 0)], one_zone=False, in_order=False)
@example(rows=[("A", 0, ZONES[1], 0), ("B", 60, ZONES[1], 0), ("A", 60, ZONES[1], 0)], one_zone=False, in_order=True)
def test_first_and_last_are_those_of_a_reading_record_by_record(
    rows: list[tuple[str | None, int, timezone | ZoneInfo, int]], one_zone: bool, in_order: bool
) -> None:
    """Out-of-order lines, the autumn clock change, microseconds, one instant written with two
    UTC offsets, or an export in time order (nearly always): the
    figures are those of reading the records one by one."""
    if in_order:
        rows = sorted(rows, key=lambda row: (row[1], row[3]))
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 in Paris, the night clocks go back
    authors = [author for author, _, _, _ in rows]
    stamps = [
        (start + timedelta(minutes=minutes, microseconds=micro))
        .astimezone(PARIS if one_zone else zone)
        .isoformat()
        for _, minutes, zone, micro in rows
    ]
    first, last = _first_and_last(authors, stamps)
    expected_first, expected_last = first_and_last_one_by_one(authors, stamps)
    assert {a: s for a, s in first.items() if a is not None} == expected_first
    assert {a: s for a, s in last.items() if a is not None} == expected_last


def test_the_victim_given_with_me_is_a_target_even_if_she_never_writes() -> None:
    behind_her_back = chat(
        ("2026-03-02 21:00", "Hugo", "Léa c'est une bouffonne"),
        ("2026-03-02 21:01", "Inès", "grave, Léa bouffonne"),
        ("2026-03-02 21:02", "Noah", "mdr"),
    )
    assert analyse(behind_her_back, scan).signals[0].targets == ()
    told = analyse(behind_her_back, scan, me="Léa")
    assert [s.targets for s in told.signals] == [(("Léa", "name"),), (("Léa", "name"),)]
    assert [(r.target, r.authors) for r in told.raids] == [("Léa", ("Hugo", "Inès"))]


@given(st.text())
@example("Léa Ünal")  # accents of U+0300–U+036F: dropped at C speed
@example("e\u034f\u0301")  # the grapheme joiner combines nothing: it stays
@example("Ǆ Ωμέγα ﬁ Åsa")  # compatibility forms, Greek accents, a ring
def test_folding_a_name_drops_case_and_accents_only(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    assert _fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
