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

Speed: a chat may hold 200,000 messages and safetype costs tens of µs per message. A prefilter
regex, derived from the packs' own patterns, rejects at C speed every message that no rule can
match, and only the rest reach safetype (see ``_PrefilterBuilder``).

Pure: nothing is read from disk here; adapters/signal_pack.py reads the two packs. The pattern
parser and the character normaliser are safetype's own (private modules, version pinned), so
that the prefilter sees tokens exactly as the engine does; a property test guards it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, NamedTuple, get_args

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
    for element in parse_pattern(pattern):
        for alternative in element.alternatives:
            if not all(_is_token_char(char) for char in alternative.value):
                # An apostrophe or a hyphen splits a token: "t'es" can never match, "t es" can.
                raise ValueError(f"{alternative.value!r} can never be one token: split it with spaces")
    return pattern


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
    """Scans message texts with the two packs; build one with :func:`build_matcher`."""

    def __init__(
        self,
        engine: ModerationEngine,
        prefilter: _Prefilter,
        meanings: Mapping[str, _RuleMeaning],
        cues: Mapping[str, Cue],
        supersedes: Mapping[Category, frozenset[Category]],
    ) -> None:
        self._engine = engine
        self._prefilter = prefilter
        self._meanings = meanings
        self._cues = cues
        self._supersedes = supersedes

    def scan(self, text: str) -> tuple[SignalHit, ...]:
        """The hits of one message, in text order; most messages are rejected by the prefilter."""
        if not self._prefilter.may_match(text):
            return ()
        return self.scan_without_prefilter(text)

    def may_match(self, text: str) -> bool:
        """False only when no rule of the packs can match this text."""
        return self._prefilter.may_match(text)

    def scan_without_prefilter(self, text: str) -> tuple[SignalHit, ...]:
        matches = self._engine.moderate(text).matches
        allowed = [(m.start, m.end) for m in matches if m.rule_id.startswith(_ALLOW_PREFIX)]
        cues = [(m.start, m.end, self._cues[m.rule_id]) for m in matches if m.rule_id in self._cues]
        hits = []
        for m in matches:
            meaning = self._meanings.get(m.rule_id)
            if meaning is None or any(_overlap(m.start, m.end, s, e) for s, e in allowed):
                continue
            context = m.context if m.context != "direct" else _cue_context(text, m.start, m.end, cues)
            hits.append(
                SignalHit(m.rule_id, meaning.category, meaning.severity, m.start, m.end, m.text, context)
            )
        return _most_specific(hits, self._supersedes)


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
    engine_rules: list[dict[str, Any]] = []
    scanned: list[str] = []
    for stock_rule in stock.rules:
        use = pack.stock_rules[stock_rule.id]
        if use.category is None:
            continue
        meanings[stock_rule.id] = _RuleMeaning(use.category, stock_rule.severity)
        engine_rules.append(stock_rule.model_dump(exclude_none=True))
        scanned.append(stock_rule.pattern)
    for rule in pack.rule:
        meanings[rule.id] = _RuleMeaning(rule.category, rule.severity)
        engine_rules.append(_engine_rule(rule.id, rule.pattern, rule.severity))
        scanned.append(rule.pattern)
    for phrase in pack.allow_phrases:
        engine_rules.append(_engine_rule(_ALLOW_PREFIX + phrase.id, phrase.pattern, "low"))
    cues = {_CUE_PREFIX + cue.id: cue for cue in pack.cues}
    engine_rules += [_engine_rule(rule_id, cue.pattern, "low") for rule_id, cue in cues.items()]
    engine = ModerationEngine(
        mode="warn",
        packs=[{"language": pack.language, "boundary": "word", "rules": engine_rules}],
        allow_list=[*stock.allow_list, *pack.allow_tokens],
        # Keep every match, whatever its severity or confidence: the analysis decides what to show.
        policy={c: {"min_severity": "low", "min_confidence": 0.0} for c in ALL_CATEGORIES},
    )
    supersedes = {name: frozenset(info.supersedes) for name, info in pack.categories.items()}
    prefilter = _PrefilterBuilder(_folding()).build(scanned)
    return SignalMatcher(engine, prefilter, meanings, cues, supersedes)


def _engine_rule(rule_id: str, pattern: str, severity: str) -> dict[str, Any]:
    # safetype's own categories carry its policies; ours all go in "custom", mapped by rule id.
    return {"id": rule_id, "pattern": pattern, "category": "custom", "severity": severity}


# ---------------------------------------------------------------------------------- prefilter
#
# A message can match a rule only if its tokens, as safetype normalises them, spell the rule's
# words one after the other (safetype _matcher.py: an exact or prefix match on the word, with
# repeated letters collapsed). The prefilter accepts a superset of those messages, in safetype's
# normalised text (computed at C speed, see ``_Folding``), in two stages:
#
# 1. one regex, a trie of words so that the regex engine follows one branch per letter, finds
#    - whole rules whose first word is frequent ("t'es … nul"), when their regex is small, and
#      one-word rules (including as spaced letters, "p u t e", safetype's merge): a match is
#      conclusive;
#    - for every other rule, the tokens that spell its *anchor*, a required word chosen to be
#      rare; an empty capturing group at each word end says which rules that token anchors;
# 2. for those rules only, the regex of the rule's whole word sequence (compiled on first use).
#
# A letter is a class with its leet forms (e → [e3€]), repeated (safetype folds leet and
# tolerates repeated letters); a token starts after a non-word character. Every approximation
# errs on the side of accepting: a word that goes on ("putes" for "pute"), a separator that
# safetype would see inside a token ("t!es"), a digit token that safetype would not leet-fold.
# The property test in tests/test_signals.py checks the superset on random text.


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
_INLINE_BUDGET = 0  # characters of regex: a rule anchored on a frequent word goes whole in stage 1

# Frequent chat words make poor anchors: a rule is anchored on one of its other required
# words when it has one. This changes only the speed, never the result.
_COMMON_WORDS = frozenset(
    """je j tu t il elle on nous vous ils elles me m te moi toi lui leur eux se s le la les l un une
    des de d du au aux a et ou est es c ca ce cet cette ces qui que qu quoi pas ne n y en dans sur
    pour par avec sans plus tres trop tout tous toute toutes bien mal fait faire dit dire va vais vas
    vont aller voir vu vois sais sait veux veut peux peut dois doit mon ma mes ton ta tes son sa ses
    nos votre vos oui non si mais donc comme quand alors apres avant demain hier soir jour cours
    colege lyce ecole clase maison photo photos video videos mesage mesages groupe monde gens
    persone rien jamais toujours encore deja ausi ici lol mdr ptdr stp bon bone grand petit gros
    nul vraiment grave truc temps aime envie ami amis pote potes mere pere parents prof""".split()
)  # spelt as trie keys: repeated letters collapsed ("college" is "colege")


@dataclass(frozen=True)
class _Folding:
    deleted: re.Pattern[str]  # characters safetype deletes
    not_kept: re.Pattern[str]  # after NFKD: a character that safetype does not keep as it is
    not_mark: re.Pattern[str]  # after NFKD: a non-ASCII character that is not a combining accent

    def normalise(self, text: str) -> str:
        """safetype's normalised text (its ``normalize(text).text``), at C speed when possible."""
        lowered = text.lower()
        if lowered.isascii():
            return lowered
        decomposed = unicodedata.normalize("NFKD", lowered)
        if self.not_mark.search(decomposed) is None:
            # Only accents left to drop (the French case). NFKD may give capitals (ℌ → H).
            return decomposed.encode("ascii", "ignore").decode("ascii").lower()
        decomposed = self.deleted.sub("", decomposed.lower())
        if self.not_kept.search(decomposed) is None:
            return decomposed
        return "".join(map(normalize_char, text))


@cache
def _folding() -> _Folding:
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
        deleted=re.compile("[" + "".join(map(_class_char, deleted)) + "]"),
        not_kept=re.compile("[^\\x00-\\x7f" + "".join(map(_class_char, kept)) + "]"),
        not_mark=re.compile("[^\\x00-\\x7f\u0300-\u036f]"),
    )


def _class_char(char: str) -> str:
    return re.escape(char) if char.isascii() else char


class _Prefilter:
    def __init__(
        self,
        stage_one: re.Pattern[str],
        candidates: Sequence[tuple[int, ...]],
        sequences: Sequence[str | None],
        folding: _Folding,
    ) -> None:
        self._stage_one = stage_one
        self._candidates = candidates  # by group number: the rules to check in stage 2
        self._sequences = sequences  # by rule: the regex of its words, None when stage 1 was enough
        self._compiled: dict[int, re.Pattern[str]] = {}
        self._folding = folding

    def may_match(self, text: str) -> bool:
        # A leading space: every regex starts with "a non-word character, then a word".
        normalised = " " + self._folding.normalise(text)
        for found in self._stage_one.finditer(normalised):
            for rule in self._candidates[found.lastindex or 0]:
                source = self._sequences[rule]
                if source is None or self._sequence(rule, source).search(normalised) is not None:
                    return True
        return False

    def _sequence(self, rule: int, source: str) -> re.Pattern[str]:
        pattern = self._compiled.get(rule)
        if pattern is None:
            pattern = self._compiled[rule] = re.compile(source)
        return pattern


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
        options = sorted(self.tails)
        options += [first(char) + child.render(then, then) for char, child in sorted(self.children.items())]
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


@dataclass
class _StageOneTrie:
    """Stage 1 words letter by letter: the rules each one anchors (exactly or as a prefix), and
    the rest of the whole rules that start with it (exactly or as a prefix)."""

    children: dict[str, _StageOneTrie] = field(default_factory=dict)
    exact: set[int] = field(default_factory=set)
    prefix: set[int] = field(default_factory=set)
    exact_rests: dict[str, set[int]] = field(default_factory=dict)
    prefix_rests: dict[str, set[int]] = field(default_factory=dict)

    def node(self, key: str) -> _StageOneTrie:
        node = self
        for char in key:
            node = node.children.setdefault(char, _StageOneTrie())
        return node


_PLACEHOLDER = re.compile("\x00([0-9]+)\x01")  # one capturing group, until the regex is complete


class _PrefilterBuilder:
    # Over-approximations of safetype's token boundaries (see above): a word character is a
    # letter or a digit, anything else may separate two tokens.
    before = "[\\W_]"  # the character before a token (the text gets a leading space)
    end = "(?![^\\W_])"  # a token ends here
    separator = "[\\W_]+"  # what lies between two tokens
    token_tail = "[^\\W_]*"  # the rest of a token matched by a prefix
    spaced_separator = "[" + re.escape(_SPACED_SEPARATORS) + "]"

    def __init__(self, folding: _Folding) -> None:
        self.folding = folding
        self.groups: list[frozenset[int]] = []
        self.conclusive = -1  # set in build: the rule number that stands for "stage 1 was enough"

    @staticmethod
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

    # -- the words of one rule

    def words(self, element: Element, last: bool) -> str:
        """One element: its words as a trie, each ending its token."""
        trie = _Trie()
        for alternative in element.alternatives:
            if alternative.prefix:
                trie.add(_trie_key(alternative), "" if last else self.token_tail)
            else:
                trie.add(_trie_key(alternative), self.end if last else "")
        return trie.render(self.branch, self.branch)

    def rest(self, elements: Sequence[Element]) -> str:
        """The words after a rule's first: separator, word, separator, word…"""
        parts = []
        for index, element in enumerate(elements, start=1):
            piece = self.separator + self.words(element, last=index == len(elements))
            parts.append(f"(?:{piece})?" if element.optional else piece)
        return "".join(parts)

    def sequence(self, elements: Sequence[Element]) -> str:
        return self.before + self.words(elements[0], last=len(elements) == 1) + self.rest(elements[1:])

    @staticmethod
    def anchor(elements: Sequence[Element]) -> Element:
        """A required word of the rule: the fewest frequent chat words, then the longest
        shortest spelling, then the last."""

        def rarity(indexed: tuple[int, Element]) -> tuple[int, int, int]:
            index, element = indexed
            keys = [_trie_key(a) for a in element.alternatives]
            return (-sum(k in _COMMON_WORDS for k in keys), min(map(len, keys)), index)

        required = [(i, e) for i, e in enumerate(elements) if not e.optional]
        return max(required, key=rarity)[1]

    # -- stage 1

    def add_rule(self, trie: _StageOneTrie, rule: int, elements: Sequence[Element]) -> None:
        anchor = self.anchor(elements)
        frequent = any(_trie_key(a) in _COMMON_WORDS for a in anchor.alternatives)
        rest = self.rest(elements[1:]) if len(elements) > 1 else ""
        if len(elements) > 1 and frequent and len(rest) * len(elements[0].alternatives) <= _INLINE_BUDGET:
            for alternative in elements[0].alternatives:
                node = trie.node(_trie_key(alternative))
                rests = node.prefix_rests if alternative.prefix else node.exact_rests
                rests.setdefault(rest, set()).add(rule)
            return
        for alternative in anchor.alternatives:
            node = trie.node(_trie_key(alternative))
            (node.prefix if alternative.prefix else node.exact).add(rule)

    def render_stage_one(self, node: _StageOneTrie, carried: frozenset[int]) -> str:
        """Longest words first. A word end names every rule anchored there, or by a prefix on the
        way; a whole rule is tried where its first word ends, a prefix one also in stage 2."""
        carried = carried | node.prefix | {r for rules in node.prefix_rests.values() for r in rules}
        options = [
            self.branch(char) + self.render_stage_one(child, carried) for char, child in sorted(node.children.items())
        ]
        whole = self.group({self.conclusive})
        options += [rest + whole for rest in sorted(node.exact_rests)]
        options += [self.token_tail + rest + whole for rest in sorted(node.prefix_rests)]
        if node.exact:
            options.append(self.end + self.group(carried | node.exact))
        if node.prefix or node.prefix_rests:
            options.append(self.group(carried))
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    def spaced(self, trie: _Trie) -> str:
        """Single letters, each a token (safetype merges three or more): a conclusive match."""
        letter, separator = "[^\\W_]", self.spaced_separator
        three_letters = f"(?={letter}{separator}{letter}{separator}{letter}{self.end})"
        return three_letters + trie.render(self.spaced_first, self.spaced_then) + self.group({self.conclusive})

    def build(self, patterns: Sequence[str]) -> _Prefilter:
        self.conclusive = len(patterns)
        trie, spaced = _StageOneTrie(), _Trie()
        sequences: list[str | None] = []
        for rule, pattern in enumerate(patterns):
            elements = parse_pattern(pattern)
            sequences.append(self.sequence(elements) if len(elements) > 1 else None)
            self.add_rule(trie, rule, elements)
            if len(elements) == 1:  # safetype merges spaced letters for one-word rules only
                for alternative in elements[0].alternatives:
                    spaced.add(_trie_key(alternative), "")
        sequences.append(None)  # the conclusive rule number: nothing more to check
        # Spaced letters first: at the same place, a one-letter word would hide them.
        options = [self.spaced(spaced)] if spaced.children else []
        options.append(self.render_stage_one(trie, frozenset()))
        return self.complete(self.before + "(?:" + "|".join(options) + ")", sequences)

    def complete(self, regex: str, sequences: list[str | None]) -> _Prefilter:
        """Capturing groups are numbered by the position of their "(": so are the candidates."""
        candidates: list[tuple[int, ...]] = [()]  # group 0 is the whole match

        def number(placeholder: re.Match[str]) -> str:
            candidates.append(tuple(sorted(self.groups[int(placeholder[1])])))
            return "()"

        return _Prefilter(re.compile(_PLACEHOLDER.sub(number, regex)), candidates, sequences, self.folding)


def _trie_key(alternative: Alternative) -> str:
    """A word's letters as the trie follows them: digits as the letters leet makes of them, so
    that one text character always leads to one branch, and repeated letters collapsed."""
    return "".join(char for char, _ in to_runs("".join(LEET.get(c, c) for c in alternative.key)))
