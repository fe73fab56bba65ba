"""French harassment signals: which spans of a chat message match a rule of the signal pack.

A hit is a "message à vérifier", a lead for a person to read in its context, never a verdict.

Matching is safetype 1.14.0's (research/libs.md §14), over two packs: the library's own French
pack, each of its rules mapped to one of our categories or switched off, and the project's pack
(both described in data/signals_fr.toml). On top of the library, three steps:

- an *allow phrase* drops the hits it overlaps ("mort de rire" is not "t'es mort");
- a *cue* marks a hit as reported speech ("il m'a traitée de …"), as safetype already does for
  quotation marks: the victim repeating words is not their author;
- of two overlapping hits, the more specific category is kept (a discriminatory insult is
  reported as hate, not as a plain insult; see ``CategoryInfo.supersedes``).

Speed: a chat may hold 200,000 messages, and safetype, pure Python, costs about 1 µs per
character of a message whatever its rules. A prefilter, derived from the packs' own patterns,
finds the few rules each message may match (none, for most messages); only those messages reach
safetype, with an engine that holds only those rules (see ``_PrefilterBuilder``). A whole chat
is scanned at once (``SignalMatcher.scan_many``): each distinct text once, all of them
normalised together, then a *gate* (one RE2 automaton of every rule, in linear time over the
whole chat, see ``_Gate``) keeps the few texts where a rule's words may appear, and the
prefilter's exact regexes read only those.

Pure: nothing is read from disk here; adapters/signal_pack.py reads the two packs. The pattern
parser and the character normaliser are safetype's own (private modules, version pinned), so
that the prefilter sees tokens exactly as the engine does; a property test guards it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import accumulate, compress, count, repeat
from operator import add, ne
from typing import Annotated, Any, Literal, NamedTuple, get_args

import re2
from pydantic import AfterValidator, Field, StringConstraints, model_validator
from safetype import ModerationEngine
from safetype._normalize import LEET, normalize_char
from safetype._pattern import Alternative, Element, parse_pattern, to_runs
from safetype.types import ALL_CATEGORIES

from recours.domain.common import StrictModel, Text

Category = Literal[
    "insult",
    "threat",
    "death_threat",
    "suicide_incitement",
    "sexual_harassment",
    "image_threat",
    "doxxing",
    "hate_sexist",
    "hate_racist",
    "hate_lgbtphobic",
    "hate_ableist",
    "hate_religious",
    "exclusion",
]
CATEGORIES: tuple[Category, ...] = get_args(Category)
Severity = Literal["low", "medium", "high", "critical"]
HitContext = Literal["direct", "quoted", "mention"]
SEVERITY_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}

# Characters safetype keeps inside a token besides letters, marks and digits (its _tokenize.py).
_TOKEN_SYMBOLS = frozenset("@$!|*€")


# ---------------------------------------------------------------------------------- the pack


def _is_token_char(char: str) -> bool:
    return char in _TOKEN_SYMBOLS or unicodedata.category(char)[0] in "LMN"


def _valid_pattern(pattern: str) -> str:
    """A safetype pattern whose every word can be a token (``PatternError`` is a ValueError)."""
    for element in _parsed(pattern):
        for alternative in element.alternatives:
            if not all(_is_token_char(char) for char in alternative.value):
                # An apostrophe or a hyphen splits a token: "t'es" can never match, "t es" can.
                raise ValueError(f"{alternative.value!r} can never be one token: split it with spaces")
    return pattern


# Parsed once: the pack's validation and the prefilter read the same patterns.
_parsed = cache(parse_pattern)
Pattern = Annotated[str, AfterValidator(_valid_pattern)]
RuleId = Annotated[str, StringConstraints(pattern=r"^fr\.recours\.[a-z_]+\.[a-z0-9-]+$")]
PhraseId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]


class CategoryInfo(StrictModel):
    label: Text
    # A short legal hint, only where the article was checked (the file's `sources`).
    law_hint: Text | None = None
    # Categories this one replaces on an overlapping span (more specific wins).
    supersedes: list[Category] = []
    note: str


class SignalRule(StrictModel):
    id: RuleId
    pattern: Pattern
    category: Category
    severity: Severity
    note: str | None = None


class StockRuleUse(StrictModel):
    """What Recours does with one rule of safetype's own pack: a category, or off (and why)."""

    category: Category | None = None
    off: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> StockRuleUse:
        if (self.category is None) == (self.off is None):
            raise ValueError("give either a category or the reason it is off")
        return self


class AllowPhrase(StrictModel):
    id: PhraseId
    pattern: Pattern
    note: str | None = None


class Cue(StrictModel):
    """Words that announce reported speech; a hit after them is not the author's own."""

    id: PhraseId
    pattern: Pattern
    context: Literal["quoted", "mention"]
    # "after": hits after the cue in the same sentence; "sentence": anywhere in it.
    scope: Literal["after", "sentence"] = "after"
    note: str | None = None


class SignalPack(StrictModel):
    """data/signals_fr.toml."""

    language: Literal["fr"]
    last_checked: date
    sources: list[str]
    allow_tokens: list[str] = []
    categories: dict[Category, CategoryInfo]
    stock_rules: dict[str, StockRuleUse]
    rule: list[SignalRule]
    allow_phrases: list[AllowPhrase] = []
    cues: list[Cue] = []

    @model_validator(mode="after")
    def _consistent(self) -> SignalPack:
        missing = [name for name in CATEGORIES if name not in self.categories]
        if missing:
            raise ValueError(f"categories without a label: {missing}")
        for kind, ids in (
            ("rule", [r.id for r in self.rule]),
            ("allow phrase", [p.id for p in self.allow_phrases]),
            ("cue", [c.id for c in self.cues]),
        ):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{kind} ids used twice: {twice}")
        _check_acyclic({name: info.supersedes for name, info in self.categories.items()})
        return self

    def check_against(self, stock: StockPack) -> list[str]:
        """Problems between this pack and safetype's: every stock rule is mapped, and only those."""
        stock_ids = {r.id for r in stock.rules}
        unmapped = sorted(stock_ids - self.stock_rules.keys())
        unknown = sorted(self.stock_rules.keys() - stock_ids)
        ours = {r.id for r in self.rule} & stock_ids
        return (
            [f"safetype rule {i!r} has no entry in [stock_rules]" for i in unmapped]
            + [f"[stock_rules] names {i!r}, which safetype does not ship" for i in unknown]
            + [f"rule id {i!r} is also a safetype rule id" for i in sorted(ours)]
        )


def _check_acyclic(supersedes: Mapping[Category, Sequence[Category]]) -> None:
    """A category that ends up superseding itself would drop both hits of an overlap."""
    for start in supersedes:
        seen: set[Category] = set()
        todo = list(supersedes[start])
        while todo:
            name = todo.pop()
            if name == start:
                raise ValueError(f"category {start!r} supersedes itself (through {sorted(seen)})")
            if name not in seen:
                seen.add(name)
                todo.extend(supersedes.get(name, ()))


class StockRule(StrictModel):
    """One rule of safetype's pack, as the library ships it (safetype/data/fr.json)."""

    id: str
    pattern: Pattern
    category: str
    severity: Severity
    confidence: float = 1.0
    priority: int | None = None
    replacement: str | None = None
    label: str | None = None


class StockPack(StrictModel):
    language: str
    boundary: Literal["word"]  # the prefilter models word packs only
    rules: list[StockRule]
    allow_list: list[str] = Field(default=[], alias="allowList")


# ---------------------------------------------------------------------------------- hits


class SignalHit(NamedTuple):
    """One rule matching a span of a message: ``text == message[start:end]`` (code points)."""

    rule_id: str
    category: Category
    severity: Severity
    start: int
    end: int
    text: str
    context: HitContext


@dataclass(frozen=True)
class _RuleMeaning:
    category: Category
    severity: Severity


# A cue reaches up to the end of its sentence (a newline ends one too: chat lines are short).
_SENTENCE_END = re.compile(r"[.!?\n…]")
_ALLOW_PREFIX = "allow:"
_CUE_PREFIX = "cue:"


class SignalMatcher:
    """Scans message texts with the two packs; build one with :func:`build_matcher`.

    A message the prefilter rejects costs a few µs. The others are scanned by a safetype engine
    that holds only the rules the prefilter let through, plus the allow phrases and the cues
    (one engine per set of rules, kept: a chat needs a few dozen).
    """

    def __init__(
        self,
        rules: Sequence[dict[str, Any]],
        phrases: Sequence[dict[str, Any]],
        allow_list: Sequence[str],
        meanings: Mapping[str, _RuleMeaning],
        cues: Mapping[str, Cue],
        supersedes: Mapping[Category, frozenset[Category]],
        prefilter: _Prefilter,
    ) -> None:
        self._rules = rules  # safetype rule dicts, numbered as the prefilter numbers them
        self._phrases = phrases  # allow phrases and cues: they change what a hit means
        self._allow_list = allow_list
        self._meanings = meanings
        self._cues = cues
        self._supersedes = supersedes
        self._prefilter = prefilter
        self._engines: dict[frozenset[int], ModerationEngine] = {}

    def scan(self, text: str) -> tuple[SignalHit, ...]:
        """The hits of one message, in text order."""
        rules = self._prefilter.candidates(text)
        return self._scan(self._engine(rules), text) if rules else ()

    def scan_many(self, texts: Sequence[str]) -> dict[int, tuple[SignalHit, ...]]:
        """``scan`` of every text, by index, for the texts with hits (in index order).

        The prefilter reads all texts at once, and safetype scans the few it lets through, with
        the rules it let through, each distinct text once (a chat repeats its texts).
        """
        scanned: dict[str, tuple[SignalHit, ...]] = {}
        found: dict[int, tuple[SignalHit, ...]] = {}
        for index, rules in sorted(self._prefilter.candidates_many(texts).items()):
            text = texts[index]
            hits = scanned.get(text)
            if hits is None:
                hits = scanned[text] = self._scan(self._engine(rules), text)
            if hits:
                found[index] = hits
        return found

    def may_match(self, texts: Sequence[str]) -> list[int]:
        """Indices, in order, of the texts where some rule may match: a superset of those with
        hits, found in one pass of one automaton over all texts (``_Gate``). ``scan_many`` of
        the others finds nothing; of these, it finds what it finds in all."""
        return self._prefilter.may_match(texts)

    def warm_up(self) -> bool:
        """Build now what the gate's automaton builds on its first match (``_Gate.warm_up``):
        run beside the reading of a chat, it takes that time off the analysis. True when the
        sample matched, as it must for the warm-up to happen."""
        return self._prefilter.warm_up()

    def scan_without_prefilter(self, text: str) -> tuple[SignalHit, ...]:
        """The same hits, with every rule: what the prefilter must never change."""
        return self._scan(self._engine(frozenset(range(len(self._rules)))), text)

    def candidate_rule_ids(self, text: str) -> frozenset[str]:
        """The rules the prefilter lets through for this text: every rule that matches, at least."""
        return frozenset(self._rules[i]["id"] for i in self._prefilter.candidates(text))

    def _engine(self, rules: frozenset[int]) -> ModerationEngine:
        engine = self._engines.get(rules)
        if engine is None:
            if len(self._engines) >= _ENGINES_KEPT:
                self._engines.clear()
            engine = self._engines[rules] = ModerationEngine(
                mode="warn",
                packs=[
                    {"boundary": "word", "rules": [*(self._rules[i] for i in sorted(rules)), *self._phrases]}
                ],
                allow_list=self._allow_list,
                # Keep every match, whatever its severity or confidence: the analysis decides.
                policy={c: {"min_severity": "low", "min_confidence": 0.0} for c in ALL_CATEGORIES},
            )
        return engine

    def _scan(self, engine: ModerationEngine, text: str) -> tuple[SignalHit, ...]:
        matches = engine.moderate(text).matches
        allowed = [(m.start, m.end) for m in matches if m.rule_id.startswith(_ALLOW_PREFIX)]
        cues = [(m.start, m.end, self._cues[m.rule_id]) for m in matches if m.rule_id in self._cues]
        hits = []
        for m in matches:
            meaning = self._meanings.get(m.rule_id)
            if meaning is None:
                continue
            context = m.context if m.context != "direct" else _cue_context(text, m.start, m.end, cues)
            # An allow phrase says the author does not aim the words at anyone; words someone
            # else said, reported or quoted, are still listed.
            if context == "direct" and any(_overlap(m.start, m.end, s, e) for s, e in allowed):
                continue
            end = _with_marks(text, m.end)
            hits.append(
                SignalHit(
                    m.rule_id, meaning.category, meaning.severity, m.start, end, text[m.start : end], context
                )
            )
        return _most_specific(hits, self._supersedes)


_ENGINES_KEPT = 512  # engines for distinct sets of candidate rules; a chat needs a few dozen


def _with_marks(text: str, end: int) -> int:
    """Past the combining marks after a span: safetype ends it on the last base letter, which
    would cut "pédé" written with a combining accent into "péde" and an orphan accent."""
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    return end


def _overlap(start: int, end: int, other_start: int, other_end: int) -> bool:
    return start < other_end and other_start < end


def _cue_context(text: str, start: int, end: int, cues: Sequence[tuple[int, int, Cue]]) -> HitContext:
    """The context a cue gives a direct hit: the cue's, if nothing ends the sentence between them."""
    for cue_start, cue_end, cue in cues:
        if cue_start <= start:
            gap_start, gap_end = cue_end, start
        elif cue.scope == "sentence":
            gap_start, gap_end = end, cue_start
        else:
            continue
        if gap_start >= gap_end or _SENTENCE_END.search(text, gap_start, gap_end) is None:
            return cue.context
    return "direct"


def _most_specific(
    hits: list[SignalHit], supersedes: Mapping[Category, frozenset[Category]]
) -> tuple[SignalHit, ...]:
    kept = [h for h in hits if not any(_dominates(o, h, supersedes) for o in hits if o is not h)]
    return tuple(sorted(kept, key=lambda h: (h.start, h.end, h.category, h.rule_id)))


def _dominates(a: SignalHit, b: SignalHit, supersedes: Mapping[Category, frozenset[Category]]) -> bool:
    """Whether hit ``a`` makes hit ``b`` redundant (same words, same voice)."""
    if a.context != b.context or not _overlap(a.start, a.end, b.start, b.end):
        return False
    if b.category in supersedes[a.category]:
        return True
    if a.category != b.category or not (a.start <= b.start and b.end <= a.end):
        return False
    # Same category, nested spans: keep the widest, then the most severe, then one rule id.
    rank_a = (a.end - a.start, SEVERITY_RANK[a.severity])
    rank_b = (b.end - b.start, SEVERITY_RANK[b.severity])
    return rank_a > rank_b or (rank_a == rank_b and a.rule_id < b.rule_id)


def build_matcher(pack: SignalPack, stock: StockPack) -> SignalMatcher:
    """The matcher for both packs; ``pack.check_against(stock)`` must be empty."""
    problems = pack.check_against(stock)
    if problems:
        raise ValueError("; ".join(problems))
    meanings: dict[str, _RuleMeaning] = {}
    rules: list[dict[str, Any]] = []
    for stock_rule in stock.rules:
        use = pack.stock_rules[stock_rule.id]
        if use.category is not None:
            meanings[stock_rule.id] = _RuleMeaning(use.category, stock_rule.severity)
            rules.append(stock_rule.model_dump(exclude_none=True))
    for rule in pack.rule:
        meanings[rule.id] = _RuleMeaning(rule.category, rule.severity)
        rules.append(_engine_rule(rule.id, rule.pattern, rule.severity))
    phrases = [_engine_rule(_ALLOW_PREFIX + p.id, p.pattern, "low") for p in pack.allow_phrases]
    cues = {_CUE_PREFIX + cue.id: cue for cue in pack.cues}
    phrases += [_engine_rule(rule_id, cue.pattern, "low") for rule_id, cue in cues.items()]
    return SignalMatcher(
        rules=rules,
        phrases=phrases,
        allow_list=[*stock.allow_list, *pack.allow_tokens],
        meanings=meanings,
        cues=cues,
        supersedes={name: frozenset(info.supersedes) for name, info in pack.categories.items()},
        prefilter=_PrefilterBuilder(_folding()).build([r["pattern"] for r in rules]),
    )


def _engine_rule(rule_id: str, pattern: str, severity: str) -> dict[str, Any]:
    # safetype's own categories carry its policies; ours all go in "custom", mapped by rule id.
    return {"id": rule_id, "pattern": pattern, "category": "custom", "severity": severity}


# ---------------------------------------------------------------------------------- prefilter
#
# A message can match a rule only if its tokens, as safetype normalises them, spell the rule's
# words one after the other (safetype _matcher.py: an exact or prefix match on each word, with
# repeated letters collapsed). The prefilter finds, for each message, a superset of the rules
# that match it, in safetype's normalised text (computed at C speed, see ``_Folding``):
#
# 1. one regex finds the tokens that spell a rule's *anchor*: one of its required words, chosen
#    to be rare (not a frequent chat word, the longest shortest spelling). The anchors form a
#    trie, so that the regex engine follows one branch per letter, not one per rule; an empty
#    capturing group at each word end names the rules that token anchors. When the words after
#    an anchor are cheap to spell out, a lookahead checks them there and then. One-word rules,
#    also spelt with spaced letters ("p u t e", safetype's merge of single letters), are found;
# 2. for the longer rules found, their other words, where the anchor was found: the words after
#    it, forwards; the words before it, backwards, in the reversed text (regexes compiled on
#    first use).
#
# A letter is a class with its leet forms (e → [e3€]), repeated (safetype folds leet and
# tolerates repeated letters); a token starts after a non-word character. Every approximation
# errs on the side of accepting: a word that goes on ("putes" for "pute"), a separator that
# safetype would see inside a token ("t!es"), a digit token that safetype would not leet-fold.
# The property tests in tests/test_signals.py check the superset, rule by rule, on random text.


_SCANNED_RANGES = (  # characters whose normalisation is looked up once: Latin, marks, symbols, emoji
    (0x80, 0x24F),
    (0x300, 0x36F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x2BFF),
    (0xFE00, 0xFE0F),
    (0x1F000, 0x1FAFF),
)
_SPACED_SEPARATORS = " .-_"  # safetype _tokenize.py: one of these between single letters
_FOLLOWING_BUDGET = 3000  # regex characters: the words after an anchor are checked in stage 1

# Frequent chat words make poor anchors: a rule is anchored on one of its other required
# words when it has one. This changes only the speed, never the result.
_COMMON_WORDS_TEXT = """je j tu t il elle on nous vous ils elles me m te moi toi lui leur eux se s le la les l un une
    des de d du au aux a et ou est es c ca ce cet cette ces qui que qu quoi pas ne n y en dans sur
    pour par avec sans plus tres trop tout tous toute toutes bien mal fait faire dit dire va vais vas
    vont aller voir vu vois sais sait veux veut peux peut dois doit mon ma mes ton ta tes son sa ses
    nos votre vos oui non si mais donc comme quand alors apres avant demain hier soir jour cours
    colege lyce ecole clase maison photo photos video videos mesage mesages groupe monde gens
    persone rien jamais toujours encore deja ausi ici lol mdr ptdr stp bon bone grand petit gros
    nul vraiment grave truc temps aime envie ami amis pote potes mere pere parents prof"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())  # as trie keys: "college" is "colege"


@dataclass(frozen=True)
class _Folding:
    latin1: bytes  # Latin-1 byte -> its normalised byte (a byte table for ``bytes.translate``)
    latin1_deleted: bytes  # Latin-1 bytes safetype deletes (the soft hyphen)
    deleted: re.Pattern[str]  # characters safetype deletes
    not_kept: re.Pattern[str]  # after NFKD: a character that safetype does not keep as it is
    not_mark: re.Pattern[str]  # after NFKD: a non-ASCII character that is not a combining accent
    # For many texts at once (``normalise_many``): lower case, then ``latin1``, with the mark
    # also on the bytes that ``normalise`` treats otherwise in one text (a byte it deletes, an
    # ASCII byte it keeps as it is, a capital whose lower case leaves Latin-1).
    latin1_lowered: bytes
    marks_deleted: bool  # safetype deletes every combining accent (U+0300-U+036F)

    def normalise(self, text: str) -> str:
        """safetype's normalised text (its ``normalize(text).text``), at C speed when possible."""
        lowered = text.lower()
        if lowered.isascii():
            return lowered
        try:  # French text is mostly Latin-1: one byte table does it
            folded = lowered.encode("latin-1").translate(self.latin1, self.latin1_deleted)
        except UnicodeEncodeError:
            pass
        else:
            if _UNFOLDED not in folded:
                return folded.decode("latin-1")
        decomposed = unicodedata.normalize("NFKD", lowered)
        if self.not_mark.search(decomposed) is None:
            # Only accents left to drop. NFKD may give capitals (ℌ → H): lower again.
            return decomposed.encode("ascii", "ignore").decode("ascii").lower()
        decomposed = self.deleted.sub("", decomposed.lower())
        if self.not_kept.search(decomposed) is None:
            return decomposed
        return "".join(map(normalize_char, text))

    def folded_joined(self, texts: Sequence[str], joined: str | None = None) -> bytes | None:
        """The normalised texts joined by ``_JOIN``, as ASCII bytes, when the byte table of
        ``normalise_many`` folds every text to ASCII with nothing to redo (Latin-1 texts: the
        French of most chats, accents and all); None otherwise. Each text keeps its length.
        ``normalise_many`` would split this into texts, and the gate join them again. ``joined``:
        the texts joined by ``_JOIN``, when the caller has them already."""
        joined = _JOIN.join(texts) if joined is None else joined
        if joined.count(_JOIN) != len(texts) - 1:
            return None
        try:
            folded = joined.encode("latin-1").translate(self.latin1_lowered)
        except UnicodeEncodeError:
            return None
        return folded if folded.isascii() and _UNFOLDED not in folded else None

    def normalise_many(self, texts: Sequence[str], joined: str | None = None) -> list[str]:
        """``[self.normalise(text) for text in texts]``, in a few operations on all texts joined
        (``joined``, when the caller has them already).

        Each text takes the way ``normalise`` gives it, done on the joined text: a byte table
        that lowers and folds Latin-1 texts (and ASCII ones, which ``normalise`` only lowers:
        the table keeps lower-case ASCII as it is); lower case and NFKD for the others. Joining
        changes nothing: ``_JOIN`` is a control character that every step keeps as it is, that
        none makes, and that ends the context of a final sigma. The few texts that hold it, or
        a character the bulk steps would treat otherwise than ``normalise`` (ß, a soft hyphen,
        a capital whose lower case leaves Latin-1…), are normalised one by one.
        """
        if not texts:
            return []
        joined = _JOIN.join(texts) if joined is None else joined
        alone: set[int] = set()
        if joined.count(_JOIN) != len(texts) - 1:
            alone = {i for i, text in enumerate(texts) if _JOIN in text}
            joined = _JOIN.join("" if i in alone else text for i, text in enumerate(texts))
        if joined.isascii():
            normalised = joined.lower().split(_JOIN)
        else:
            normalised = self._fold_many(texts, joined, alone)
        if len(normalised) != len(texts):  # not reached: no step makes or drops _JOIN
            return [self.normalise(text) for text in texts]
        for i in alone:
            normalised[i] = self.normalise(texts[i])
        return normalised

    def _fold_many(self, texts: Sequence[str], joined: str, alone: set[int]) -> list[str]:
        """``joined`` (the texts, ``alone`` left empty) → each text normalised; adds to ``alone``
        the texts to normalise one by one."""
        try:
            encoded = joined.encode("latin-1")
            wide: list[int] = []
        except UnicodeEncodeError:  # "?" for the characters out of Latin-1: those texts are redone
            encoded = joined.encode("latin-1", "replace")
            wide = [i for i in _out_of_latin1(texts) if i not in alone]
        folded = encoded.translate(self.latin1_lowered)
        normalised = folded.decode("latin-1").split(_JOIN)
        if _UNFOLDED in folded:
            lengths = list(map(len, texts))
            for i in alone:
                lengths[i] = 0
            alone.update(_holding_byte(folded, _starts(lengths)).difference(wide))
        if wide and len(normalised) == len(texts):
            self._decompose_many(texts, wide, normalised, alone)
        return normalised

    def _decompose_many(
        self, texts: Sequence[str], order: list[int], normalised: list[str], alone: set[int]
    ) -> None:
        """The texts ``order`` holds (each with a character out of Latin-1) the way ``normalise``
        takes after its byte table: lower case, NFKD, accents and other characters deleted."""
        if not self.marks_deleted:  # another safetype: NFKD alone would not tell the way
            alone.update(order)
            return
        lowered = _JOIN.join([texts[i] for i in order]).lower()
        # A text whose lower case is Latin-1 after all (the Kelvin sign) takes the byte table.
        latin1 = set(range(len(order))).difference(_out_of_latin1(lowered.split(_JOIN)))
        # ``normalise`` drops the accents of a text with no other non-ASCII character; with
        # every accent deleted, this gives the same text.
        cleaned = self.deleted.sub("", unicodedata.normalize("NFKD", lowered).lower())
        pieces = cleaned.split(_JOIN)
        if len(pieces) != len(order):  # not reached: no step makes or drops _JOIN
            alone.update(order)
            return
        for i, piece in zip(order, pieces, strict=True):
            normalised[i] = piece
        general = _holding(self.not_kept, cleaned, _starts(map(len, pieces)))
        alone.update(order[k] for k in latin1 | general)


# Joins texts for ``_Folding.normalise_many``: normalised as itself, by every step.
_JOIN = "\x1f"


def _out_of_latin1(texts: Sequence[str]) -> list[int]:
    """Indices of the texts with a character out of Latin-1 (their Latin-1 bytes are fewer)."""
    latin1 = map(str.encode, texts, repeat("latin-1"), repeat("ignore"))
    return list(compress(count(), map(ne, map(len, latin1), map(len, texts))))


def _starts(lengths: Iterable[int]) -> list[int]:
    """Where each text begins in the texts joined by ``_JOIN`` (``lengths``: theirs), and one
    past the end."""
    return list(map(add, accumulate(lengths, initial=0), count()))


def _holding(pattern: re.Pattern[str], joined: str, starts: Sequence[int]) -> set[int]:
    """The texts of ``joined`` (``starts`` as :func:`_starts` gives them) where ``pattern`` matches."""
    found: set[int] = set()
    match = pattern.search(joined)
    while match is not None:
        part = bisect_right(starts, match.start()) - 1
        found.add(part)
        match = pattern.search(joined, starts[part + 1])
    return found


def _holding_byte(joined: bytes, starts: Sequence[int]) -> set[int]:
    """The texts of ``joined`` (its bytes one for one with the joined texts) that hold ``_UNFOLDED``."""
    found: set[int] = set()
    at = joined.find(_UNFOLDED)
    while at != -1:
        part = bisect_right(starts, at) - 1
        found.add(part)
        at = joined.find(_UNFOLDED, starts[part + 1])
    return found


# In the Latin-1 table, the mark of a character that does not normalise to one Latin-1
# character (ß → ss, µ → μ, ½ → 1⁄2): the text takes the general way.
_UNFOLDED = b"\x00"


@cache
def _folding() -> _Folding:
    table = bytearray(range(256))
    latin1_deleted = bytearray()
    for code in range(256):
        normalised = normalize_char(chr(code))
        if not normalised:
            latin1_deleted.append(code)
        elif len(normalised) == 1 and ord(normalised) < 256 and code != 0:
            table[code] = ord(normalised)
        else:
            table[code] = _UNFOLDED[0]
    lowered_table = bytearray(256)
    for code in range(256):
        lower = chr(code).lower()
        # Marked as well: a lower case out of Latin-1, a byte ``normalise`` deletes, and an ASCII
        # one it would not keep as it is (it keeps ASCII texts as they are, once lowered).
        byte = ord(lower) if len(lower) == 1 else 256
        same = byte < 256 and byte not in latin1_deleted and (byte >= 128 or table[byte] == byte)
        lowered_table[code] = table[byte] if same else _UNFOLDED[0]
    if lowered_table[ord(_JOIN)] != ord(_JOIN):
        raise ValueError("safetype changes the character that joins texts")  # not with 1.14.0
    deleted: list[str] = []
    kept: list[str] = []
    for low, high in _SCANNED_RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            normalised = normalize_char(char)
            if not normalised:
                deleted.append(char)
            elif normalised == char:
                kept.append(char)
    return _Folding(
        latin1=bytes(table),
        latin1_deleted=bytes(latin1_deleted),
        deleted=re.compile("[" + _class_ranges(deleted) + "]"),
        not_kept=re.compile("[^\\x00-\\x7f" + _class_ranges(kept) + "]"),
        not_mark=re.compile("[^\\x00-\\x7f\u0300-\u036f]"),
        latin1_lowered=bytes(lowered_table),
        marks_deleted=all(not normalize_char(chr(code)) for code in range(0x300, 0x370)),
    )


def _class_ranges(chars: Sequence[str]) -> str:
    """A regex class's body for ``chars`` (in code point order), written as ranges: the 5,000
    characters safetype keeps are 125 runs, and Python's ``re`` tests a character out of the
    Basic Multilingual Plane (an emoji) against each item of a class in turn."""
    runs: list[list[int]] = []
    for code in map(ord, chars):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        _class_char(chr(low)) + ("" if low == high else "-" + _class_char(chr(high))) for low, high in runs
    )


def _class_char(char: str) -> str:
    return re.escape(char) if char.isascii() else char


class _Candidates:
    """What one capturing group of stage 1 lets through."""

    def __init__(self, single: frozenset[int], multi: Sequence[int], before: Sequence[str | None]) -> None:
        self.single = single  # one-word rules: the word is the rule
        self.multi = tuple(multi)  # longer rules: stage 2 checks the words around the anchor
        # When every one of them needs words before the anchor, one regex for "any of them"
        # rejects most places at once ("nul" anchors three insult rules).
        self._gate_source = "|".join(f"(?:{b})" for b in before) if before and all(before) else ""
        self._gate: re.Pattern[str] | None = None

    def may_have_words_before(self, reversed_text: str, position: int) -> bool:
        if not self._gate_source:
            return True
        if self._gate is None:
            self._gate = re.compile(self._gate_source)
        return self._gate.match(reversed_text, position) is not None


class _Around:
    """Stage 2 for one rule: its words before the anchor (read backwards, in the reversed text)
    and after it, both matched where the anchor was found; compiled on first use."""

    def __init__(self, before: str | None, after: str | None) -> None:
        self._sources = (before, after)
        self._compiled: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    def found(self, normalised: str, reversed_text: str, start: int, end: int) -> bool:
        """``start``, ``end``: where the anchor word starts and where its match ends."""
        if self._compiled is None:
            self._compiled = (_compiled(self._sources[0]), _compiled(self._sources[1]))
        words_before, words_after = self._compiled
        # In the reversed text, the character before the anchor is at len - start.
        return (
            words_before is None or words_before.match(reversed_text, len(normalised) - start) is not None
        ) and (words_after is None or words_after.match(normalised, end) is not None)


def _compiled(source: str | None) -> re.Pattern[str] | None:
    return re.compile(source) if source else None


class _Prefilter:
    def __init__(
        self,
        stage_one: re.Pattern[str],
        spaced: re.Pattern[str] | None,
        by_group: Sequence[_Candidates],
        around: Sequence[_Around],
        all_single: frozenset[int],
        folding: _Folding,
        gate: _Gate,
    ) -> None:
        self._gate = gate
        self._stage_one = stage_one
        self._spaced = spaced
        self._by_group = by_group  # by capturing group number
        self._around = around  # by rule
        self._all_single = all_single
        self._folding = folding

    def candidates(self, text: str) -> frozenset[int]:
        """The rules that may match ``text``: a superset of those safetype matches."""
        # A leading space: every regex starts with "a non-word character, then a word".
        normalised = " " + self._folding.normalise(text)
        return self._candidates_in(normalised, (0, len(normalised) + 1)).get(0, _NO_RULES)

    def candidates_many(self, texts: Sequence[str]) -> dict[int, frozenset[int]]:
        """``candidates`` of each text (by index), for the texts that have some: the same sets.

        The texts are normalised together; the gate picks out those where a rule's words may
        appear, and only those are searched, joined as one text (``_search_together``).
        """
        normalised = self._folding.normalise_many(texts)
        kept = self._gate.kept(normalised)
        found = self._search_together([normalised[i] for i in kept])
        return {kept[k]: rules for k, rules in found.items()}

    def may_match(self, texts: Sequence[str]) -> list[int]:
        """The texts the gate keeps, by index in order: every text that has candidates."""
        joined = _JOIN.join(texts)  # once, for either way
        folded = self._folding.folded_joined(texts, joined)
        if folded is not None:  # no text to split out of it and join again
            return self._gate.kept_joined(folded, map(len, texts), len(texts))
        return self._gate.kept(self._folding.normalise_many(texts, joined))

    def warm_up(self) -> bool:
        return self._gate.warm_up()

    def _search_together(self, normalised: Sequence[str]) -> dict[int, frozenset[int]]:
        """The rules each normalised text may match, by index, for those with some.

        The texts are joined by ``_BOUNDARY`` and searched as one. No regex here reads across
        a boundary, so each text is searched as if alone:
        - its middle character is a word character that no letter class holds: whatever reads
          words (stage 1, its lookaheads, stage 2, spaced letters) stops there;
        - its first and last are non-word characters, which every regex reads as it reads the
          end of a text (``end``, separators) or the leading space (``before``).
        """
        if not normalised:
            return {}
        joined = _BOUNDARY + _BOUNDARY.join(normalised)
        # Where each text's "before" character is: the last one of the boundary before it.
        width = len(_BOUNDARY)
        starts = list(
            map(
                add,
                accumulate(map(len, normalised), initial=0),
                range(width - 1, width * len(normalised) + width, width),
            )
        )
        return self._candidates_in(joined, starts)

    def _candidates_in(self, normalised: str, starts: Sequence[int]) -> dict[int, frozenset[int]]:
        """The rules each text may match, by index, in ``normalised``, where text ``i`` begins
        with the non-word character at ``starts[i]`` (before its first word)."""
        found_rules: dict[int, set[int]] = {}
        search, by_group, length = self._stage_one.search, self._by_group, len(normalised)
        reversed_text = ""
        rules: set[int] = set()
        low = high = 0  # where the text of ``rules`` is
        found = search(normalised)
        while found is not None:
            at = found.start()
            if not low <= at < high:
                index = bisect_right(starts, at) - 1
                low, high = starts[index], starts[index + 1]
                rules = found_rules.setdefault(index, set())
            candidates = by_group[found.lastindex or 0]
            rules |= candidates.single
            if candidates.multi:
                # Stage 2: the longer rules whose other words are around this anchor.
                reversed_text = reversed_text or normalised[::-1]
                if candidates.may_have_words_before(reversed_text, length - at - 1):
                    rules |= self._around_anchor(candidates, normalised, reversed_text, found, rules)
            if found.end() - at == 2 and self._spaced and self._spaced.match(normalised, at):
                rules |= self._all_single  # a one-letter word found first may start spaced letters
            # From the next character, not past the match: "!" is a separator or a leet "i", so
            # " !pute" matches from " " as "ipute…" and from "!" as "pute".
            found = search(normalised, at + 1)
        return {index: frozenset(rules) for index, rules in found_rules.items() if rules}

    def _around_anchor(
        self,
        candidates: _Candidates,
        normalised: str,
        reversed_text: str,
        found: re.Match[str],
        known: set[int],
    ) -> set[int]:
        """The longer rules of ``candidates`` whose other words are around this anchor."""
        start, end = found.start() + 1, found.end()
        return {
            rule
            for rule in candidates.multi
            if rule not in known and self._around[rule].found(normalised, reversed_text, start, end)
        }


_NO_RULES: frozenset[int] = frozenset()
# Between two texts searched together (see ``_Prefilter.candidates_many``): a CJK ideograph
# between two control characters.
_BOUNDARY = "\x1f\u4e00\x1f"


class _Gate:
    """Which texts may hold a rule's words: a superset of the texts the prefilter finds rules in.

    One RE2 regex, the alternation of every rule spelt out word after word, searched once over
    all texts joined by ``_JOIN``. RE2 runs an automaton in time linear in the text, however
    many rules (github.com/google/re2/wiki/WhyRE2); Python's ``re`` tries its regex at each
    position, about 60 ns a character here against 9 for RE2. RE2 has no lookaround, so the
    gate drops what the prefilter checks with one (a token's end, the character before it) and
    widens what it cannot spell the same way in both engines (see ``_GateBuilder``): it only
    ever keeps more texts, and the prefilter decides.

    A match crosses no ``_JOIN`` (only its first character, the one before a word, may be one),
    so each match lies in one text, and ``finditer``, which skips overlapping matches, still
    finds one in every text that has any. A text that holds ``_JOIN`` itself is kept.
    """

    def __init__(self, source: str, sample: str) -> None:
        self._sample = sample.encode("utf-8")  # a normalised text the regex matches
        options = re2.Options()
        # The automaton of 200 rules with their leet forms outgrows RE2's default 8 MiB, and
        # RE2 would then fall back to a slower engine.
        options.max_mem = _GATE_MEMORY
        # Compiled for UTF-8 bytes, the text RE2 reads: searching a str, the binding encodes it
        # and turns every byte offset back into a character offset (2/3 of the search time).
        self._regex = re2.compile(source.encode("utf-8"), options)

    def warm_up(self) -> bool:
        """Match the sample once. On the first match of its life, RE2 compiles the reversed
        automaton that finds where a match starts: 0.03 s for this regex, which the first
        chat would otherwise wait for. RE2 lets go of Python's lock while it works, so another
        thread can run this while the chat is read (services/analysis.py)."""
        return self._regex.search(self._sample) is not None

    def kept(self, normalised: Sequence[str]) -> list[int]:
        """Indices, in order, of the normalised texts where some rule may match."""
        texts = len(normalised)
        # Texts with emoji would make one joined ``str`` of 4 bytes a character, slow to join,
        # encode and split: they are encoded one by one. A sample says which way is faster.
        if all(map(str.isascii, normalised[:: max(1, texts // 256)])):
            joined = _JOIN.join(normalised)
            data = joined.encode("utf-8", "surrogatepass")
            ascii_only = len(data) == len(joined)  # bytes are characters
            lengths: Iterable[int] = map(len, normalised) if ascii_only else map(len, data.split(_JOIN_BYTE))
        else:
            encoded = list(map(str.encode, normalised, repeat("utf-8"), repeat("surrogatepass")))
            data = _JOIN_BYTE.join(encoded)
            lengths = map(len, encoded)
        kept = self.kept_joined(data, lengths, texts)
        # A lone surrogate (some JSON exports hold them) has no UTF-8 form: its text is kept.
        if _SURROGATE_UTF8.search(data) is not None:
            anyway = {i for i, text in enumerate(normalised) if _SURROGATE.search(text)}
            return sorted(anyway.union(kept))
        return kept

    def kept_joined(self, data: bytes, lengths: Iterable[int], texts: int) -> list[int]:
        """``kept`` of the ``texts`` that ``data`` joins (UTF-8, ``_JOIN_BYTE`` between two),
        each of ``lengths`` bytes."""
        # ``_JOIN`` is one byte in UTF-8, and no byte of another character is that byte.
        if data.count(_JOIN_BYTE) != texts - 1:
            return list(range(texts))  # a text holds _JOIN: keep all, rare enough
        starts = list(map(add, accumulate(lengths, initial=0), count()))
        kept: list[int] = []
        for match in self._regex.finditer(data):
            # The match starts with the character before a word (``_JOIN`` for a text's first
            # word), or at the very start: its second character is in the text it found.
            index = bisect_right(starts, match.start() + 1) - 1
            if not kept or kept[-1] != index:
                kept.append(index)
        return kept


_SURROGATE = re.compile("[\ud800-\udfff]")
# The same, encoded with "surrogatepass": ED A0–BF; in valid UTF-8, ED is followed by 80–9F.
_SURROGATE_UTF8 = re.compile(b"\xed[\xa0-\xbf]")
_JOIN_BYTE = _JOIN.encode()
_GATE_MEMORY = 64 << 20
# Characters that Python's re and RE2 both class as letters or digits, whatever their Unicode
# versions: ASCII and Latin-1 ones. The gate's separator is any other character but ``_JOIN``.
_LATIN1_WORD = "0-9A-Za-z\\xaa\\xb5\\xba\\xc0-\\xd6\\xd8-\\xf6\\xf8-\\xff"


@dataclass
class _Trie:
    """Words letter by letter; ``tails`` are the regexes that follow a word ending here."""

    children: dict[str, _Trie] = field(default_factory=dict)
    tails: set[str] = field(default_factory=set)

    def add(self, key: str, tail: str) -> None:
        node = self
        for char in key:
            node = node.children.setdefault(char, _Trie())
        node.tails.add(tail)

    def render(self, first: Callable[[str], str], then: Callable[[str], str]) -> str:
        """The trie as a regex: ``first`` spells the first letter, ``then`` the others."""
        options = sorted(self.tails)
        options += [first(char) + child.render(then, then) for char, child in sorted(self.children.items())]
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


@dataclass
class _AnchorTrie:
    """Anchor words letter by letter: the rules each one anchors (exactly or as a prefix), each
    with the regex of the words that must follow it ("" when not checked in stage 1)."""

    children: dict[str, _AnchorTrie] = field(default_factory=dict)
    exact: dict[int, str] = field(default_factory=dict)
    prefix: dict[int, str] = field(default_factory=dict)

    def add(self, key: str, rule: int, prefix: bool, following: str) -> None:
        node = self
        for char in key:
            node = node.children.setdefault(char, _AnchorTrie())
        (node.prefix if prefix else node.exact)[rule] = following


_PLACEHOLDER = re.compile("\x00([0-9]+)\x01")  # one capturing group, until the regex is complete


class _PrefilterBuilder:
    # Over-approximations of safetype's token boundaries (see above): a word character is a
    # letter or a digit, anything else may separate two tokens.
    before = "[\\W_]"  # the character before a token (the text gets a leading space)
    end = "(?![^\\W_])"  # a token ends here
    separator = "[\\W_]+"  # what lies between two tokens
    rest_of_word = "[^\\W_]*"  # the rest of a token matched by a prefix
    spaced_separator = "[" + re.escape(_SPACED_SEPARATORS) + "]"

    def __init__(self, folding: _Folding) -> None:
        self.folding = folding
        self.groups: list[frozenset[int]] = []

    @staticmethod
    @cache
    def letter(char: str) -> str:
        """One normalised letter and its leet forms: [e3€]."""
        base = LEET.get(char, char)
        forms = "".join(map(_class_char, sorted({base, *(k for k, v in LEET.items() if v == base)})))
        return forms if len(forms) == 1 else "[" + forms + "]"

    def branch(self, char: str) -> str:
        letter = self.letter(char)
        return letter + letter + "*"  # not `+`: a branch that starts with a letter is skipped fast

    def spaced_first(self, char: str) -> str:
        letter = self.letter(char)
        return f"{letter}(?:{self.spaced_separator}{letter})*"

    def spaced_then(self, char: str) -> str:
        return self.spaced_separator + self.spaced_first(char)

    def group(self, rules: Iterable[int]) -> str:
        self.groups.append(frozenset(rules))
        return f"\x00{len(self.groups) - 1}\x01"

    # -- stage 2: the words of one rule

    def words(self, element: Element, last: bool) -> str:
        """One element: its words as a trie, each ending its token."""
        trie = _Trie()
        for alternative in element.alternatives:
            if alternative.prefix:
                trie.add(_trie_key(alternative), "" if last else self.rest_of_word)
            else:
                trie.add(_trie_key(alternative), self.end if last else "")
        return trie.render(self.branch, self.branch)

    def backwards(self, elements: Sequence[Element]) -> str:
        """The words before a rule's anchor, nearest first, each spelt backwards: a regex for
        the reversed text, from the character before the anchor."""
        parts = []
        for index in range(len(elements) - 1, -1, -1):
            piece = self.separator + self.reversed_words(elements[index], first=index == 0)
            parts.append(f"(?:{piece})?" if elements[index].optional else piece)
        return "".join(parts)

    def reversed_words(self, element: Element, first: bool) -> str:
        """One element spelt backwards; a prefix word may have any end, read first."""
        exact, prefix = _Trie(), _Trie()
        for alternative in element.alternatives:
            (prefix if alternative.prefix else exact).add(_trie_key(alternative)[::-1], "")
        options = [exact.render(self.branch, self.branch)] if exact.children else []
        options += [self.rest_of_word + prefix.render(self.branch, self.branch)] if prefix.children else []
        return "(?:" + "|".join(options) + ")" + (self.end if first else "")

    def rest(self, elements: Sequence[Element]) -> str:
        """The words that follow another: separator, word, separator, word…"""
        parts = []
        for index, element in enumerate(elements, start=1):
            piece = self.separator + self.words(element, last=index == len(elements))
            parts.append(f"(?:{piece})?" if element.optional else piece)
        return "".join(parts)

    # -- stage 1: the anchors of all rules

    @staticmethod
    def anchor(elements: Sequence[Element]) -> int:
        """Which required word anchors the rule: the fewest frequent chat words, then the longest
        shortest spelling, then the last."""

        def rarity(index: int) -> tuple[int, int, int]:
            keys = [_trie_key(a) for a in elements[index].alternatives]
            return (-sum(k in _COMMON_WORDS for k in keys), min(map(len, keys)), index)

        return max((i for i, element in enumerate(elements) if not element.optional), key=rarity)

    def render_anchors(self, node: _AnchorTrie, carried: frozenset[int]) -> str:
        """Longest words first; a word end names every rule anchored there, or by a prefix on
        the way (a token matches all the words that are prefixes of it). When all those rules
        say which words must follow, a lookahead checks that one of them does."""
        options = [
            self.branch(char) + self.render_anchors(child, carried | node.prefix.keys())
            for char, child in sorted(node.children.items())
        ]
        if node.exact:
            following = self.following(node.exact, carried | node.prefix.keys(), "")
            options.append(
                self.end + following + self.group(carried | node.prefix.keys() | node.exact.keys())
            )
        if node.prefix:
            following = self.following(node.prefix, carried, self.rest_of_word)
            options.append(following + self.group(carried | node.prefix.keys()))
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    @staticmethod
    def following(rules: Mapping[int, str], unchecked: frozenset[int], tail: str) -> str:
        """A lookahead for the words after an anchor, if every rule named there has them."""
        if unchecked - rules.keys() or not all(rules.values()):
            return ""  # some rule has no words to check here: stage 2 decides
        return "(?=" + tail + "(?:" + "|".join(sorted(set(rules.values()))) + "))"

    def spaced(self, trie: _Trie) -> str:
        """Single letters, each a token (safetype merges three or more), spelling a one-word rule."""
        letter, separator = "[^\\W_]", self.spaced_separator
        three_letters = f"(?={letter}{separator}{letter}{separator}{letter}{self.end})"
        return three_letters + trie.render(self.spaced_first, self.spaced_then)

    def build(self, patterns: Sequence[str]) -> _Prefilter:
        anchors, spaced = _AnchorTrie(), _Trie()
        around: list[_Around] = []
        befores: list[str | None] = []
        single: set[int] = set()
        for rule, pattern in enumerate(patterns):
            elements = _parsed(pattern)
            anchor = self.anchor(elements)
            before, after = self.backwards(elements[:anchor]), self.rest(elements[anchor + 1 :])
            befores.append(before or None)
            around.append(_Around(before or None, self.rest_of_word + after if after else None))
            alternatives = elements[anchor].alternatives
            # The words after the anchor, checked in stage 1 too when the regex stays small.
            following = after if len(after) * len(alternatives) <= _FOLLOWING_BUDGET else ""
            for alternative in alternatives:
                anchors.add(_trie_key(alternative), rule, alternative.prefix, following)
            if len(elements) == 1:  # safetype merges spaced letters for one-word rules only
                single.add(rule)
                for alternative in elements[0].alternatives:
                    spaced.add(_trie_key(alternative), "")
        letters = {c for p in patterns for e in _parsed(p) for a in e.alternatives for c in _trie_key(a)}
        if _BOUNDARY[1] in letters | LEET.keys() or not _BOUNDARY[1].isalnum():
            raise ValueError("the boundary between texts searched together must be no letter of a rule")
        words = self.render_anchors(anchors, frozenset())
        spaced_regex = self.before + "(?=" + self.spaced(spaced) + ")" if spaced.children else None
        # Spaced letters last, as a lookahead: the letters are still read as words.
        options = [words] + ([f"(?={self.spaced(spaced)})" + self.group(single)] if spaced_regex else [])
        regex = self.before + "(?:" + "|".join(options) + ")"
        by_group = [_Candidates(frozenset(), (), ())]  # group 0 is the whole match

        def number(placeholder: re.Match[str]) -> str:
            rules = self.groups[int(placeholder[1])]
            multi = sorted(rules - single)
            by_group.append(_Candidates(frozenset(rules & single), multi, [befores[r] for r in multi]))
            return "()"

        stage_one = re.compile(_PLACEHOLDER.sub(number, regex))
        return _Prefilter(
            stage_one,
            re.compile(spaced_regex) if spaced_regex else None,
            by_group,
            around,
            frozenset(single),
            self.folding,
            _Gate(_GateBuilder(self.folding).source(patterns, spaced), _spelt_out(patterns[0])),
        )


def _spelt_out(pattern: str) -> str:
    """A normalised text that matches the rule: its required words, each as first written."""
    return " " + " ".join(e.alternatives[0].value for e in _parsed(pattern) if not e.optional)


class _GateBuilder(_PrefilterBuilder):
    """The gate's regex (RE2 syntax): each rule's words in order, with wider token boundaries.

    - a rule starts after a character that is not a Latin-1 letter or digit (or at the start),
      which the match includes (RE2 has no lookbehind); it may stop anywhere (no lookahead);
    - a separator is any character but a Latin-1 letter or digit (and ``_JOIN``), where Python
      says any non-word character: both engines agree on Latin-1, and elsewhere the gate
      accepts more;
    - the rest of a word is any run of characters but ASCII non-word ones, where Python says
      word characters.
    """

    before = ""
    end = ""
    separator = "[^" + _LATIN1_WORD + "\\x1f]+"
    rest_of_word = "[^\\x00-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]*"

    def source(self, patterns: Sequence[str], spaced: _Trie) -> str:
        options = [self.sequence(_parsed(pattern)) for pattern in patterns]
        if spaced.children:
            options.append(spaced.render(self.spaced_first, self.spaced_then))
        return "(?:^|[^" + _LATIN1_WORD + "])(?:" + "|".join(options) + ")"

    def sequence(self, elements: Sequence[Element]) -> str:
        """A rule's words, one after the other; an optional word with its separator."""
        regex, after_a_word = "", False
        for element in elements:
            word = self.words(element, last=False)
            if not element.optional:
                regex += (self.separator if after_a_word else "") + word
                after_a_word = True
            elif after_a_word:
                regex += f"(?:{self.separator}{word})?"
            else:  # a leading optional word: the separator after it goes with it
                regex += f"(?:{word}{self.separator})?"
        return regex


def _trie_key(alternative: Alternative) -> str:
    """A word's letters as the trie follows them: digits as the letters leet makes of them, so
    that one text character always leads to one branch, and repeated letters collapsed."""
    return "".join(char for char, _ in to_runs("".join(LEET.get(c, c) for c in alternative.key)))
