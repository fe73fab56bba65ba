"""What a chat shows, computed from its stored records: who wrote how much and when, which
messages carry harassment signals, who they are aimed at, repetition over days, and pile-ons.

French law counts *repetition* (art. 222-33-2-2 code pénal, 1st paragraph) and, for a "raid",
words imposed on the same person by *several people*, even if each acted once (same article,
a and b). The figures below show those two shapes; they are leads for a person to check,
never a verdict: a signal is a text that matched a rule of the pack, nothing more.

Pure functions over columns (one list per field, as the vault returns them): 200,000 messages
are counted in C-speed loops, and only the few flagged messages get per-message work.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import compress, count
from operator import itemgetter
from typing import Any, Literal, NamedTuple, Protocol, TypeVar, runtime_checkable

# How a hostile message reaches its target: named with "@", a reply to that person's message
# (Telegram, Discord), named in the text, or a conversation between two people (the other one is
# the target). A person found several ways keeps the first of these; the last is a fallback.
TargetVia = Literal["mention", "reply", "name", "conversation"]


class Hit(Protocol):
    """One rule of the signal pack matching a span of a message (see domain/signals.py)."""

    @property
    def rule_id(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def context(self) -> str: ...


Scan = Callable[[str], Sequence[Hit]]
ScanMany = Callable[[Sequence[str]], Mapping[int, Sequence[Hit]]]


@runtime_checkable
class BatchScanner(Protocol):
    """Scans many texts at once (domain/signals.py ``SignalMatcher``)."""

    def scan_many(self, texts: Sequence[str]) -> Mapping[int, Sequence[Hit]]:
        """The hits of each text with some, by index in ``texts``."""
        ...


def scan_each(scan: Scan) -> ScanMany:
    """A batch scanner that scans each text with ``scan``."""

    def scan_many(texts: Sequence[str]) -> dict[int, Sequence[Hit]]:
        return {i: hits for i, text in enumerate(texts) if (hits := scan(text))}

    return scan_many


_T = TypeVar("_T")

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class ChatColumns(NamedTuple):
    """The stored records of one or more imports, column by column, in order."""

    items: Sequence[str]  # the vault item of the export each record came from
    positions: Sequence[int]  # the record's position in that export's records
    timestamps: Sequence[str]  # ISO 8601 with the export's UTC offset: [:10] is the local day
    authors: Sequence[str | None]
    kinds: Sequence[str]
    texts: Sequence[str]
    # The record's id in its export and the id of the message it replies to (None when unknown):
    # one per record, or empty when none is known. Ids are per export: only read with ``items``.
    source_ids: Sequence[str | None] = ()
    reply_tos: Sequence[str | None] = ()


@dataclass(frozen=True)
class Filters:
    author: str | None = None
    since: date | None = None
    until: date | None = None
    category: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "category": self.category,
        }


@dataclass(frozen=True)
class RaidRule:
    """A pile-on: at least ``min_authors`` people hostile to one target within ``window``."""

    window: timedelta = timedelta(hours=24)
    min_authors: int = 2  # "plusieurs personnes": two is already several (art. 222-33-2-2)


NO_FILTERS = Filters()
DEFAULT_RAID_RULE = RaidRule()


@dataclass(frozen=True)
class AuthorFigures:
    author: str
    messages: int
    active_days: int
    first: str
    last: str
    hostile: int

    def as_json(self) -> dict[str, Any]:
        share = round(self.hostile / self.messages, 4) if self.messages else 0.0
        return {**self.__dict__, "hostile_share": share}


@dataclass(frozen=True)
class Signal:
    """A message with at least one matching rule."""

    item: str
    position: int
    author: str | None
    timestamp: str
    text: str
    hits: tuple[Hit, ...]
    hostile: bool  # at least one hit written by the author, not quoted
    targets: tuple[tuple[str, TargetVia], ...] = ()
    highlighted: bool = False

    @property
    def ref(self) -> str:
        return f"{self.item}#{self.position}"

    @property
    def main_hit(self) -> Hit:
        """The most severe direct hit (quoted ones only when nothing else matched)."""
        direct = [h for h in self.hits if h.context == "direct"] or list(self.hits)
        return max(direct, key=lambda h: (_SEVERITY_RANK.get(h.severity, 0), -h.start))

    def as_json(self) -> dict[str, Any]:
        main = self.main_hit
        return {
            "ref": self.ref,
            "item": self.item,
            "position": self.position,
            "author": self.author,
            "timestamp": self.timestamp,
            "text": self.text,
            "rules": sorted({h.rule_id for h in self.hits}),
            "category": main.category,
            "categories": sorted({h.category for h in self.hits}),
            "severity": main.severity,
            "span": [main.start, main.end],
            "hits": [
                {
                    "rule": h.rule_id,
                    "category": h.category,
                    "severity": h.severity,
                    "span": [h.start, h.end],
                    "matched": self.text[h.start : h.end],
                    "context": h.context,
                }
                for h in self.hits
            ],
            "hostile": self.hostile,
            "targets": [{"name": name, "via": via} for name, via in self.targets],
            "highlighted": self.highlighted,
        }


@dataclass(frozen=True)
class Repetition:
    author: str
    hostile: int
    days: tuple[str, ...]

    @property
    def repeated(self) -> bool:
        return len(self.days) >= 2

    def as_json(self) -> dict[str, Any]:
        span = (date.fromisoformat(self.days[-1]) - date.fromisoformat(self.days[0])).days
        return {
            "author": self.author,
            "hostile": self.hostile,
            "days": list(self.days),
            "first": self.days[0],
            "last": self.days[-1],
            "span_days": span,
            "repeated": self.repeated,
        }


@dataclass(frozen=True)
class Raid:
    target: str | None  # None: several people hostile in the chat, at nobody named
    start: str
    end: str
    authors: tuple[str, ...]
    refs: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "start": self.start,
            "end": self.end,
            "authors": list(self.authors),
            "hostile": len(self.refs),
            "messages": list(self.refs),
        }


@dataclass(frozen=True)
class Analysis:
    messages: int
    first: str | None
    last: str | None
    me: str | None
    filters: Filters
    raid_rule: RaidRule
    authors: list[AuthorFigures]
    days: list[tuple[str, int, int]]  # day, messages, hostile
    hours: list[tuple[int, int, int]]  # hour 0-23, messages, hostile
    signals: list[Signal]
    targets: list[tuple[str, str | None, int]]  # author, target, hostile messages
    repetition: list[Repetition]
    raids: list[Raid]
    categories: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "first": self.first,
            "last": self.last,
            "me": self.me,
            "filters": self.filters.as_json(),
            "raid_rule": {
                "window_hours": self.raid_rule.window.total_seconds() / 3600,
                "min_authors": self.raid_rule.min_authors,
            },
            "authors": [a.as_json() for a in self.authors],
            "days": [{"date": d, "messages": m, "hostile": h} for d, m, h in self.days],
            "hours": [{"hour": d, "messages": m, "hostile": h} for d, m, h in self.hours],
            "targets": [{"author": a, "target": t, "hostile": n} for a, t, n in self.targets],
            "repetition": [r.as_json() for r in self.repetition],
            "raids": [r.as_json() for r in self.raids],
            "categories": dict(self.categories),
            "signals": [s.as_json() for s in self.signals],
        }


def analyse(
    columns: ChatColumns,
    scan: Scan | BatchScanner,
    *,
    me: str | None = None,
    filters: Filters = NO_FILTERS,
    raid_rule: RaidRule = DEFAULT_RAID_RULE,
    highlights: Iterable[tuple[str, int]] = (),
) -> Analysis:
    """Every figure of the analysis, for the messages the filters keep.

    ``scan``: a scanner of many texts at once (the signal matcher: one pass over the chat), or
    of one text (each message in turn).
    """
    scan_many = scan.scan_many if isinstance(scan, BatchScanner) else scan_each(scan)
    selected = _selected(columns, filters)
    texts, authors, stamps = columns.texts, columns.authors, columns.timestamps
    chosen = _Chosen(_taken(authors, selected), _taken(stamps, selected), _taken(texts, selected))
    found = scan_many(chosen.texts)
    # The scanner may still be at work on another processor core (adapters/parallel_scan.py): what
    # does not depend on its hits is counted meanwhile, and ``found`` is read only then.
    counts = _Counts.of(chosen)
    participants = sorted(author for author in counts.messages_by if author is not None)
    find_targets = _target_finder(participants, [me] if me else [])
    replied_author = _reply_resolver(columns)
    marked = set(highlights)
    signals: list[Signal] = []
    for k in sorted(found):
        hits = found[k]
        counted = tuple(h for h in hits if filters.category in (None, h.category))
        if not counted:
            continue
        i = selected[k]
        is_hostile = authors[i] is not None and any(h.context == "direct" for h in counted)
        targets = find_targets(texts[i], authors[i], replied_author(i)) if is_hostile else ()
        item, position = columns.items[i], columns.positions[i]
        signals.append(
            Signal(
                item,
                position,
                authors[i],
                stamps[i],
                texts[i],
                counted,
                is_hostile,
                targets,
                (item, position) in marked,
            )
        )
    hostile = [s for s in signals if s.hostile]
    figures = _author_figures(counts, hostile)
    return Analysis(
        messages=len(selected),
        first=min((a.first for a in figures), key=_instant, default=None),
        last=max((a.last for a in figures), key=_instant, default=None),
        me=me,
        filters=filters,
        raid_rule=raid_rule,
        authors=figures,
        days=_per_day(counts, hostile),
        hours=_per_hour(counts, hostile),
        signals=signals,
        targets=_who_targets_whom(hostile),
        repetition=_repetition(hostile),
        raids=find_raids(hostile, raid_rule),
        categories=dict(Counter(s.main_hit.category for s in signals)),
    )


class _Chosen(NamedTuple):
    """The columns of the messages the filters keep, in order."""

    authors: Sequence[str | None]
    stamps: Sequence[str]
    texts: Sequence[str]


@dataclass(frozen=True)
class _Counts:
    """What the messages the filters keep show without their signals."""

    messages_by: Counter[str | None]
    active_days_by: Counter[str | None]
    first: dict[str | None, str]
    last: dict[str | None, str]
    per_day: Counter[str]
    per_hour: Counter[str]

    @classmethod
    def of(cls, chosen: _Chosen) -> _Counts:
        days = list(map(_DAY, chosen.stamps))
        first, last = _first_and_last(chosen.authors, chosen.stamps)
        return cls(
            messages_by=Counter(chosen.authors),
            active_days_by=Counter(author for author, _ in set(zip(chosen.authors, days, strict=True))),
            first=first,
            last=last,
            per_day=Counter(days),
            per_hour=Counter(map(_HOUR, chosen.stamps)),
        )


_DAY = itemgetter(slice(0, 10))  # of an ISO 8601 timestamp: its local day
_HOUR = itemgetter(slice(11, 13))
_AFTER_SECONDS = itemgetter(slice(19, None))  # fraction of a second and UTC offset


def _selected(columns: ChatColumns, filters: Filters) -> Sequence[int]:
    """Indices of the messages (not system events) that the filters keep, in order."""
    kinds, authors, stamps = columns.kinds, columns.authors, columns.timestamps
    keep: Sequence[int] = (
        range(len(kinds))  # messages only (the columns are then taken as they are)
        if kinds.count("message") == len(kinds)
        else list(compress(range(len(kinds)), map("message".__eq__, kinds)))
    )
    if filters.author is not None:
        keep = [i for i in keep if authors[i] == filters.author]
    if filters.since is not None:
        since = filters.since.isoformat()
        keep = [i for i in keep if stamps[i][:10] >= since]
    if filters.until is not None:
        until = filters.until.isoformat()
        keep = [i for i in keep if stamps[i][:10] <= until]
    return keep


def _taken(column: Sequence[_T], selected: Sequence[int]) -> Sequence[_T]:
    """The values of ``column`` at ``selected``: the column itself when all are."""
    return column if len(selected) == len(column) else list(map(column.__getitem__, selected))


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _earlier(a: str, b: str) -> bool:
    """``a`` is before ``b``: compared as text when both have the same UTC offset (nearly
    always), as instants otherwise (the hour repeated when clocks go back)."""
    return a < b if a[19:] == b[19:] else _instant(a) < _instant(b)


def _author_figures(counts: _Counts, hostile: list[Signal]) -> list[AuthorFigures]:
    hostile_by = Counter(s.author for s in hostile if s.author is not None)
    return [
        AuthorFigures(
            author, n, counts.active_days_by[author], counts.first[author], counts.last[author], hostile_by[author]
        )
        for author, n in sorted(
            ((author, n) for author, n in counts.messages_by.items() if author is not None),
            key=lambda pair: (-pair[1], pair[0]),
        )
    ]


def _first_and_last(
    authors: Sequence[str | None], stamps: Sequence[str]
) -> tuple[dict[str | None, str], dict[str | None, str]]:
    """Each author's earliest and latest timestamp: records are in export order, but a line out
    of order must not move them. Of two stamps of one instant, the first in order (as
    ``_earlier`` compares them one by one).

    Stamps with the same fraction of a second and UTC offset (all of them, nearly always) are
    in time order as text: sorted at C speed, group by group; then each author's few candidates,
    one per group, are compared as instants.
    """
    after_seconds = list(map(_AFTER_SECONDS, stamps))
    kinds = set(after_seconds)
    groups = (
        [range(len(stamps))]
        if len(kinds) <= 1
        else [list(compress(count(), map(kind.__eq__, after_seconds))) for kind in sorted(kinds)]
    )
    first: dict[str | None, int] = {}
    last: dict[str | None, int] = {}
    for group in groups:
        # Sorting is stable: among equal stamps, the first in order comes first both ways.
        ascending = sorted(group, key=stamps.__getitem__)
        descending = sorted(group, key=stamps.__getitem__, reverse=True)
        for found, order, better in ((first, ascending, _sooner), (last, descending, _later)):
            # Each author's first index in ``order``: read backwards, it is written last.
            firsts = dict(zip(map(authors.__getitem__, reversed(order)), reversed(order), strict=True))
            for author, i in firsts.items():
                if author not in found or better(stamps, i, found[author]):
                    found[author] = i
    return (
        {author: stamps[i] for author, i in first.items()},
        {author: stamps[i] for author, i in last.items()},
    )


def _sooner(stamps: Sequence[str], i: int, j: int) -> bool:
    return (_instant(stamps[i]), i) < (_instant(stamps[j]), j)


def _later(stamps: Sequence[str], i: int, j: int) -> bool:
    return (_instant(stamps[i]), -i) > (_instant(stamps[j]), -j)


def _per_day(counts: _Counts, hostile: list[Signal]) -> list[tuple[str, int, int]]:
    hostile_per_day = Counter(s.timestamp[:10] for s in hostile)
    return [(day, counts.per_day[day], hostile_per_day[day]) for day in sorted(counts.per_day)]


def _per_hour(counts: _Counts, hostile: list[Signal]) -> list[tuple[int, int, int]]:
    hostile_per_hour = Counter(s.timestamp[11:13] for s in hostile)
    return [(h, counts.per_hour[f"{h:02d}"], hostile_per_hour[f"{h:02d}"]) for h in range(24)]


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, used only to find names (never stored or shown)."""
    if text.isascii():  # nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Accented Latin letters decompose into ASCII and marks of U+0300–U+036F: those dropped at C
    # speed, a text left ASCII is done; the others are read character by character.
    latin = _LATIN_MARKS.sub("", decomposed)
    if latin.isascii():
        return latin
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The combining diacritical marks, but U+034F (the grapheme joiner, which combines nothing).
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]")


def _reply_resolver(columns: ChatColumns) -> Callable[[int], str | None]:
    """Who wrote the message that record ``i`` replies to, in the same export; None when it
    replies to nothing, or to a message this export does not hold (ids are per export).

    All records count, not only those the filters keep: a reply to a message outside the filters
    still has that target. The id → author map is built on the first reply asked about (so only
    for chats with replies and hostile messages), in one pass of C-level zips over the columns.
    """
    reply_tos = columns.reply_tos
    if not reply_tos or reply_tos.count(None) == len(reply_tos):
        return lambda i: None
    items = columns.items
    authors_by_id: dict[tuple[str, str | None], str | None] = {}

    def author_of(i: int) -> str | None:
        wanted = reply_tos[i]
        if wanted is None:
            return None
        if not authors_by_id:
            authors_by_id.update(
                zip(zip(items, columns.source_ids, strict=True), columns.authors, strict=True)
            )
        return authors_by_id.get((items[i], wanted))

    return author_of


def _target_finder(
    participants: list[str], also_named: Sequence[str] = ()
) -> Callable[[str, str | None, str | None], tuple[tuple[str, TargetVia], ...]]:
    """Who a hostile message is aimed at: participants named with @ or by name in its text, and
    the author of the message it replies to (``replied``). ``also_named``: people looked for by
    name though they may not write in the chat (the victim, ``--me``: a group can talk about
    someone who is not in it).

    A first name counts when it is at least three letters and only one participant has it
    ("Léa" for "Léa Martin"); phone numbers shown as names are matched whole only. A person
    reached several ways keeps the strongest: an @ is aimed, a reply answers that person's very
    message, a name may only speak about them. Never the author themself.
    """
    names: dict[str, str] = {}
    first_names: Counter[str] = Counter()
    named = participants + [person for person in also_named if person and person not in participants]
    for person in named:
        token = person.split()[0] if person.split() else person
        if len(token) >= 3 and token[0].isalpha():
            first_names[_fold(token)] += 1
    for person in named:
        names[_fold(person)] = person
        token = person.split()[0] if person.split() else person
        if len(token) >= 3 and token[0].isalpha() and first_names[_fold(token)] == 1:
            names.setdefault(_fold(token), person)
    pattern = (
        re.compile(
            r"(@?)(?<!\w)("
            + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            + r")(?!\w)"
        )
        if names
        else None
    )
    two_people = len(participants) == 2

    def find(text: str, author: str | None, replied: str | None) -> tuple[tuple[str, TargetVia], ...]:
        found: dict[str, TargetVia] = {}
        for match in pattern.finditer(_fold(text)) if pattern else ():
            person = names[match.group(2)]
            if person != author:
                via: TargetVia = "mention" if match.group(1) else "name"
                if found.get(person) != "mention":
                    found[person] = via
        if replied is not None and replied != author and found.get(replied) != "mention":
            found[replied] = "reply"
        if not found and two_people and author in participants:
            other = participants[0] if participants[1] == author else participants[1]
            found[other] = "conversation"
        return tuple(found.items())

    return find


def _who_targets_whom(hostile: list[Signal]) -> list[tuple[str, str | None, int]]:
    pairs: Counter[tuple[str, str | None]] = Counter()
    for signal in hostile:
        if signal.author is None:
            continue  # not reached: a hostile message has an author (see analyse)
        targets: set[str | None] = {t for t, _ in signal.targets} or {None}
        for target in targets:
            pairs[(signal.author, target)] += 1
    return [
        (author, target, n)
        for (author, target), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))
    ]


def _repetition(hostile: list[Signal]) -> list[Repetition]:
    days: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for signal in hostile:
        if signal.author is not None:
            days[signal.author].add(signal.timestamp[:10])
            counts[signal.author] += 1
    found = [Repetition(author, counts[author], tuple(sorted(days[author]))) for author in counts]
    return sorted(found, key=lambda r: (-len(r.days), -r.hostile, r.author))


def find_raids(hostile: Sequence[Signal], rule: RaidRule) -> list[Raid]:
    """Windows where ``rule.min_authors`` or more people were hostile to the same target.

    Each hostile message opens a window of ``rule.window``; overlapping windows that reach the
    threshold are merged into one episode, reported with its first and last hostile message.
    """
    by_target: dict[str | None, list[tuple[datetime, Signal]]] = defaultdict(list)
    for signal in hostile:
        targets: set[str | None] = {t for t, _ in signal.targets} or {None}
        for target in targets:
            by_target[target].append((_instant(signal.timestamp), signal))
    raids: list[Raid] = []
    for target, events in by_target.items():
        events.sort(key=lambda pair: pair[0])
        raids += _episodes(target, events, rule)
    return sorted(raids, key=lambda r: (_instant(r.start), r.target or ""))


def _episodes(target: str | None, events: list[tuple[datetime, Signal]], rule: RaidRule) -> list[Raid]:
    """Slide a window over the time-sorted events; qualifying windows that overlap are one
    episode. Linear: each event enters and leaves the window once."""
    ranges: list[list[int]] = []  # [first, end) indices of each episode
    in_window: Counter[str | None] = Counter()
    end = 0
    for start, (moment, _) in enumerate(events):
        while end < len(events) and events[end][0] - moment <= rule.window:
            in_window[events[end][1].author] += 1
            end += 1
        if len(in_window) >= rule.min_authors:
            if ranges and ranges[-1][1] > start:
                ranges[-1][1] = end
            else:
                ranges.append([start, end])
        leaving = events[start][1].author
        in_window[leaving] -= 1
        if not in_window[leaving]:
            del in_window[leaving]
    return [
        Raid(
            target,
            events[first][1].timestamp,
            events[stop - 1][1].timestamp,
            tuple(sorted({s.author for _, s in events[first:stop] if s.author is not None})),
            tuple(s.ref for _, s in events[first:stop]),
        )
        for first, stop in ranges
    ]
