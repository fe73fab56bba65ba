"""The French signal pack: its data, its precision and recall on a labelled corpus, exact spans,
quoted speech, the prefilter (never drops a match) and its speed.

The corpus (tests/signals/corpus_fr.toml) says how it is labelled and why; a hard example the
pack misses stays in it with a ``miss`` note and counts against recall.
"""

from __future__ import annotations

import random
import time
import tomllib
import types
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from safetype import ModerationEngine, load_pack
from safetype._normalize import normalize_char
from safetype.types import ALL_CATEGORIES

from recours.adapters import signal_pack
from recours.adapters.signal_pack import load_signal_matcher, load_signal_pack, load_stock_pack
from recours.domain.signals import (
    _SCANNED_RANGES,
    CATEGORIES,
    SignalMatcher,
    SignalPack,
    StockPack,
    build_matcher,
)
from recours.errors import KnowledgeError

CORPUS = Path(__file__).parent / "signals" / "corpus_fr.toml"

# The gate (tests/signals/corpus_fr.toml, direct hits only).
MIN_PRECISION = 0.90
MIN_RECALL = 0.85
MIN_CATEGORY_RECALL = 0.75


@pytest.fixture(scope="session")
def matcher() -> SignalMatcher:
    return load_signal_matcher()


@pytest.fixture(scope="session")
def corpus() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["message"]
    return messages


def direct_categories(matcher: SignalMatcher, text: str) -> set[str]:
    return {hit.category for hit in matcher.scan(text) if hit.context == "direct"}


# ---------------------------------------------------------------------------------- the pack


def test_the_pack_validates_and_every_category_is_labelled() -> None:
    pack = load_signal_pack()
    assert set(pack.categories) == set(CATEGORIES)
    for name, info in pack.categories.items():
        assert info.label.fr and info.label.en, name
    used = Counter(rule.category for rule in pack.rule)
    used.update(use.category for use in pack.stock_rules.values() if use.category)
    assert set(used) == set(CATEGORIES), "every category has rules"
    assert pack.check_against(load_stock_pack()) == []


def test_every_stock_rule_is_mapped_or_switched_off_with_a_reason() -> None:
    pack = load_signal_pack()
    stock_ids = {rule["id"] for rule in load_pack("fr")["rules"]}
    assert set(pack.stock_rules) == stock_ids
    for rule_id, use in pack.stock_rules.items():
        assert (use.category is None) != (use.off is None), rule_id


def pack_data(**changes: Any) -> dict[str, Any]:
    data = tomllib.loads((Path(signal_pack.__file__).parent.parent / "data" / "signals_fr.toml").read_text())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "broken",
    [
        {
            "rule": [
                {"id": "fr.recours.insult.x", "pattern": "t'es con", "category": "insult", "severity": "low"}
            ]
        },
        {
            "rule": [
                {"id": "fr.recours.insult.x", "pattern": "(a|(b|c))", "category": "insult", "severity": "low"}
            ]
        },
        {
            "rule": [
                {"id": "fr.recours.insult.x", "pattern": "con", "category": "rudeness", "severity": "low"}
            ]
        },
        {"rule": [{"id": "bad id", "pattern": "con", "category": "insult", "severity": "low"}]},
        {"stock_rules": {"fr.profanity.pute": {"category": "insult", "off": "both"}}},
        {"language": "en"},
    ],
)
def test_a_broken_pack_does_not_validate(broken: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SignalPack.model_validate(pack_data(**broken))


def test_supersession_cannot_loop() -> None:
    data = pack_data()
    data["categories"]["insult"]["supersedes"] = ["threat"]  # threat already supersedes insult
    with pytest.raises(ValidationError, match="supersedes itself"):
        SignalPack.model_validate(data)


def test_a_stock_rule_left_unmapped_is_reported() -> None:
    data = pack_data()
    del data["stock_rules"]["fr.profanity.pute"]
    problems = SignalPack.model_validate(data).check_against(StockPack.model_validate(load_pack("fr")))
    assert problems == ["safetype rule 'fr.profanity.pute' has no entry in [stock_rules]"]
    with pytest.raises(ValueError, match="no entry"):
        build_matcher(SignalPack.model_validate(data), StockPack.model_validate(load_pack("fr")))


def fake_resources(folder: Path) -> types.SimpleNamespace:
    return types.SimpleNamespace(files=lambda _package: folder)


def forget_the_loaded_pack() -> None:
    """The pack and the matcher are read once per process: read them again."""
    load_signal_matcher.cache_clear()
    load_signal_pack.cache_clear()


def test_a_broken_data_file_is_a_knowledge_error_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "signals_fr.toml").write_text(
        'language = "fr"\n[[rule]]\nid = 3\n', encoding="utf-8"
    )
    monkeypatch.setattr(signal_pack, "resources", fake_resources(tmp_path))
    forget_the_loaded_pack()
    try:
        with pytest.raises(KnowledgeError) as caught:
            load_signal_matcher()
    finally:
        forget_the_loaded_pack()
    assert "signals_fr.toml" in caught.value.fr and "pas de votre fait" in caught.value.fr
    assert "signals_fr.toml" in caught.value.en and "not your fault" in caught.value.en
    assert caught.value.details


def test_a_pack_that_does_not_fit_safetype_is_a_knowledge_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (Path(signal_pack.__file__).parent.parent / "data" / "signals_fr.toml").read_text(encoding="utf-8")
    (tmp_path / "data").mkdir()
    text = text.replace('[stock_rules."fr.profanity.pute"]\ncategory = "insult"\n', "")
    (tmp_path / "data" / "signals_fr.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(signal_pack, "resources", fake_resources(tmp_path))
    forget_the_loaded_pack()
    try:
        with pytest.raises(KnowledgeError, match="invalid"):
            load_signal_matcher()
    finally:
        forget_the_loaded_pack()


def test_the_matcher_is_built_once_per_process() -> None:
    assert load_signal_matcher() is load_signal_matcher()


# ---------------------------------------------------------------------------------- the corpus


def test_the_corpus_is_large_varied_and_well_formed(corpus: list[dict[str, Any]]) -> None:
    assert len(corpus) >= 250
    clean = [m for m in corpus if not m["expect"]]
    assert len(clean) / len(corpus) >= 0.40
    positives = Counter(category for m in corpus for category in m["expect"])
    assert {c: positives[c] for c in CATEGORIES if positives[c] < 12} == {}
    texts = [m["text"] for m in corpus]
    assert len(texts) == len(set(texts)), "no message twice"
    for message in corpus:
        assert set(message) <= {"text", "expect", "quoted", "trap", "miss"}, message
        assert set(message["expect"]) | set(message.get("quoted", [])) <= set(CATEGORIES), message
        assert "miss" not in message or message["expect"], "a miss note explains a missed label"


def scores(
    matcher: SignalMatcher, corpus: list[dict[str, Any]]
) -> tuple[Counter[str], Counter[str], Counter[str]]:
    found, wrong, missed = Counter[str](), Counter[str](), Counter[str]()
    for message in corpus:
        got, expected = direct_categories(matcher, message["text"]), set(message["expect"])
        found.update(got & expected)
        wrong.update(got - expected)
        missed.update(expected - got)
    return found, wrong, missed


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def score_table(found: Counter[str], wrong: Counter[str], missed: Counter[str]) -> str:
    lines = [f"{'category':20} precision recall  found wrong missed"]
    for name in [*CATEGORIES, "all"]:
        f, w, m = (
            (sum(found.values()), sum(wrong.values()), sum(missed.values()))
            if name == "all"
            else (found[name], wrong[name], missed[name])
        )
        lines.append(f"{name:20} {ratio(f, f + w):9.3f} {ratio(f, f + m):6.3f} {f:6} {w:5} {m:6}")
    return "\n".join(lines)


def test_precision_and_recall_gate(matcher: SignalMatcher, corpus: list[dict[str, Any]]) -> None:
    """Micro precision and recall of direct hits, overall and per category."""
    found, wrong, missed = scores(matcher, corpus)
    total_found, total_wrong, total_missed = sum(found.values()), sum(wrong.values()), sum(missed.values())
    table = score_table(found, wrong, missed)
    low_recall = [c for c in CATEGORIES if ratio(found[c], found[c] + missed[c]) < MIN_CATEGORY_RECALL]
    assert ratio(total_found, total_found + total_wrong) >= MIN_PRECISION, table
    assert ratio(total_found, total_found + total_missed) >= MIN_RECALL, table
    assert low_recall == [], table


def test_quoted_speech_is_reported_but_not_as_the_author_s(
    matcher: SignalMatcher, corpus: list[dict[str, Any]]
) -> None:
    for message in (m for m in corpus if m.get("quoted")):
        hits = matcher.scan(message["text"])
        reported = {h.category for h in hits if h.context != "direct"}
        assert set(message["quoted"]) <= reported, (message["text"], hits)
        assert not set(message["quoted"]) & {h.category for h in hits if h.context == "direct"}, hits


def test_every_hit_is_the_exact_span_of_the_message(
    matcher: SignalMatcher, corpus: list[dict[str, Any]]
) -> None:
    for message in corpus:
        text = message["text"]
        for hit in matcher.scan(text):
            assert 0 <= hit.start < hit.end <= len(text)
            assert text[hit.start : hit.end] == hit.text, (text, hit)


# ---------------------------------------------------------------------------------- spans and contexts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Emoji (several code points: flag, ZWJ, variation selector) and combining accents before.
        ("🏳️‍🌈 e\u0301te\u0301 : t'es qu'une sale pute", ("t'es qu'une sale pute", "insult")),
        ("😡\u200d😡 ça va ? CRE\u0300VE", ("CRE\u0300VE", "suicide_incitement")),
        # Combining accents inside the span, leet, repeated letters, a ligature.
        ("ok sale pe\u0301de\u0301 !", ("sale pe\u0301de\u0301", "hate_lgbtphobic")),
        ("mdrr t'es 1 gros c0nnaaaard", ("t'es 1 gros c0nnaaaard", "insult")),
        ("\ufb01ls de pute", ("\ufb01ls de pute", "insult")),
        ("« ok » puis : JE VAIS TE TUER", ("JE VAIS TE TUER", "death_threat")),
    ],
)
def test_spans_are_offsets_into_the_original_text(
    matcher: SignalMatcher, text: str, expected: tuple[str, str]
) -> None:
    words, category = expected
    hits = [h for h in matcher.scan(text) if h.category == category]
    assert [(h.start, h.end, h.text) for h in hits] == [
        (text.index(words), text.index(words) + len(words), words)
    ]


@pytest.mark.parametrize(
    ("text", "words", "context"),
    [
        ("il m'a dit « sale pute » devant tout le monde", "sale pute", "quoted"),
        ('il a écrit "je vais te tuer" sous ma photo', "je vais te tuer", "quoted"),
        ("elle m’a écrit “personne ne t’aime”", "personne ne t’aime", "quoted"),
        ("elle m'a traitée de grosse vache", "grosse vache", "quoted"),
        ("ils disent que je suis une pute", "pute", "quoted"),
        ("ça veut dire quoi fdp ?", "fdp", "mention"),
        ("sale pute", "sale pute", "direct"),
        ("il m'a dit un truc. Sale pute", "Sale pute", "direct"),  # the cue's sentence has ended
    ],
)
def test_quoted_and_reported_speech(matcher: SignalMatcher, text: str, words: str, context: str) -> None:
    hits = [h for h in matcher.scan(text) if h.text == words]
    assert hits and {h.context for h in hits} == {context}, matcher.scan(text)


def test_a_quote_and_a_direct_insult_in_one_message(matcher: SignalMatcher) -> None:
    hits = matcher.scan("« sale pute » toi-même, connard")
    assert {(h.text, h.context) for h in hits} == {("sale pute", "quoted"), ("connard", "direct")}


def test_a_discriminatory_insult_is_reported_once_as_hate(matcher: SignalMatcher) -> None:
    hits = matcher.scan("sale arabe")
    assert [(h.category, h.text) for h in hits] == [("hate_racist", "sale arabe")]


def test_allow_phrases_drop_what_is_aimed_at_no_one(matcher: SignalMatcher) -> None:
    assert matcher.scan("t'es mort de rire toi") == ()
    assert matcher.scan("je crève de faim") == ()
    assert [h.category for h in matcher.scan("t'es mort")] == ["death_threat"]


# ---------------------------------------------------------------------------------- the prefilter


def pattern_words(pattern: str) -> list[str]:
    """The words of a safetype pattern, a prefix word followed by "*" (read without safetype)."""
    words = []
    for token in pattern.split():
        words += token.rstrip("?").strip("()").split("|")
    return words


def rule_patterns() -> list[str]:
    pack, stock = load_signal_pack(), load_stock_pack()
    kept = [r.pattern for r in stock.rules if pack.stock_rules[r.id].category]
    return kept + [r.pattern for r in pack.rule]


@pytest.fixture(scope="session")
def plain_safetype() -> ModerationEngine:
    """safetype alone, with every rule the matcher uses and nothing else: the reference."""
    pack, stock = load_signal_pack(), load_stock_pack()
    rules = [r.model_dump(exclude_none=True) for r in stock.rules if pack.stock_rules[r.id].category]
    rules += [
        {"id": r.id, "pattern": r.pattern, "category": "custom", "severity": r.severity} for r in pack.rule
    ]
    return ModerationEngine(
        packs=[{"boundary": "word", "rules": rules}],
        allow_list=[*stock.allow_list, *pack.allow_tokens],
        policy={c: {"min_severity": "low", "min_confidence": 0.0} for c in ALL_CATEGORIES},
    )


PATTERNS = rule_patterns()
PACK_WORDS = sorted({w for p in PATTERNS for w in pattern_words(p)})
ORDINARY_TEXT = (  # the vocabulary of ../shared/bench/gen_whatsapp.py, and a few more words
    "salut ça va demain cours collège photo soirée pourquoi tu es vraiment grave lol mdr trop nul "
    "arrête laisse moi tranquille tout le monde sait que t'es bizarre on va voir ce soir après les "
    "cours réponds stp je rigole ok merci bisous"
)
ORDINARY = ORDINARY_TEXT.split()
LEET = {"a": "4@", "e": "3€", "i": "1!|", "o": "0", "s": "5$", "t": "7"}
ACCENTS = {"a": "àâ", "e": "éèêë", "i": "îï", "o": "ô", "u": "ùûü", "c": "ç"}
LOOKALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}  # Cyrillic
SEPARATORS = [
    " ",
    "  ",
    "'",
    "’",
    ", ",
    " ! ",
    "\n",
    " 😂 ",
    "-",
    ".",
    "_",
    " « ",
    " » ",
    '"',
    "\u00a0",
    " ❤️ ",
    "…",
]


def disguise(draw: Callable[[st.SearchStrategy[Any]], Any], word: str) -> str:
    """A word as people type it: case, accents, leet, stretched, spaced, look-alikes, noise."""
    if word.endswith("*"):
        word = word[:-1] + draw(st.sampled_from(["", "e", "s", "es", "ard", "x"]))
    chars = list(word)
    for index, char in enumerate(chars):
        change = draw(st.integers(0, 24))
        lower = char.lower()
        if change == 0 and lower in LEET:
            chars[index] = draw(st.sampled_from(LEET[lower]))
        elif change == 1 and lower in ACCENTS:
            chars[index] = draw(st.sampled_from(ACCENTS[lower]))
        elif change == 2:
            chars[index] = char * draw(st.integers(2, 4))
        elif change == 3:
            chars[index] = char + draw(st.sampled_from(["\u0301", "\u200b", "\u200d", "\u00ad", "\ufe0f"]))
        elif change == 4 and lower in LOOKALIKES:
            chars[index] = LOOKALIKES[lower]
        elif change == 5 and lower.isascii() and lower.isalpha():
            chars[index] = chr(ord(lower) + 0xFEE0)  # fullwidth
    text = "".join(chars)
    style = draw(st.integers(0, 9))
    if style == 0:
        text = text.upper()
    elif style == 1:
        text = text.capitalize()
    elif style == 2:
        text = draw(st.sampled_from([" ", ".", "-", "_"])).join(text)  # spaced letters
    elif style == 3:
        text = draw(st.sampled_from(["!", "*", "|", "@"])) + text + draw(st.sampled_from(["", "!", "*"]))
    elif style == 4:
        text = text.replace("fi", "\ufb01").replace("ss", "ß")
    return text


@st.composite
def rule_phrase(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    """The words of one rule, in order, optional ones sometimes left out."""
    pattern = draw(st.sampled_from(PATTERNS))
    words = []
    for token in pattern.split():
        if token.endswith("?") and draw(st.booleans()):
            continue
        words.append(draw(st.sampled_from(token.rstrip("?").strip("()").split("|"))))
    return " ".join(words)


@st.composite
def messages(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    pieces = draw(
        st.lists(
            st.one_of(st.sampled_from(PACK_WORDS), st.sampled_from(ORDINARY), rule_phrase()),
            min_size=1,
            max_size=8,
        )
    )
    words = [disguise(draw, word) for piece in pieces for word in piece.split()]
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + word
    return text


# Found by these tests once: a leet symbol that is also a separator ("!" is "i" or nothing).
TRICKY = ["!p€745s3", " |pute", "@sale pute", "*connard*", "t’es c0n", "p.u.t.e", "pu\u200bte", "s@l0pe"]


@settings(max_examples=400)
@example(text=TRICKY[0])
@given(text=messages())
def test_the_prefilter_lets_through_every_rule_safetype_matches(
    matcher: SignalMatcher, plain_safetype: ModerationEngine, text: str
) -> None:
    matched = {m.rule_id for m in plain_safetype.moderate(text).matches}
    assert matched <= matcher.candidate_rule_ids(text), (text, matched - matcher.candidate_rule_ids(text))


@settings(max_examples=200)
@example(text=TRICKY[0])
@given(text=messages())
def test_scanning_with_the_prefilter_changes_nothing(matcher: SignalMatcher, text: str) -> None:
    assert matcher.scan(text) == matcher.scan_without_prefilter(text)


@pytest.mark.parametrize("text", TRICKY)
def test_the_prefilter_keeps_tricky_spellings(
    matcher: SignalMatcher, plain_safetype: ModerationEngine, text: str
) -> None:
    matched = {m.rule_id for m in plain_safetype.moderate(text).matches}
    assert matched and matched <= matcher.candidate_rule_ids(text)
    assert matcher.scan(text) == matcher.scan_without_prefilter(text)


def test_the_prefilter_keeps_every_corpus_match(
    matcher: SignalMatcher, plain_safetype: ModerationEngine, corpus: list[dict[str, Any]]
) -> None:
    for message in corpus:
        matched = {m.rule_id for m in plain_safetype.moderate(message["text"]).matches}
        assert matched <= matcher.candidate_rule_ids(message["text"]), message["text"]
        assert matcher.scan(message["text"]) == matcher.scan_without_prefilter(message["text"])


# ---------------------------------------------------------------------------------- many texts at once

# Characters the batch steps must treat as ``normalise`` does one text at a time: the joining and
# boundary characters, NUL, characters folded their own way or deleted (ß, µ, ½, soft hyphen),
# capitals whose lower case changes script or length (Kelvin sign, Ÿ, İ), a final sigma, marks
# on their own, emoji sequences, other scripts, a ligature, fullwidth letters, characters whose
# NFKD has capitals (ℌ, Ⅻ), typography.
ODD = [
    "\x1f",
    "\x1f\u4e00\x1f",
    "\u4e00",
    "\x00",
    "ß",
    "µ",
    "½",
    "\xad",
    "\u212a",
    "Ÿ",
    "İ",
    "ΑΣ",
    "ΟΔΟΣ ΟΔΟΣ",
    "σ",
    "\u0301",
    "e\u0301",
    "\u0308\u0301",
    "👍🏽",
    "🏳️\u200d🌈",
    "\ufe0f",
    "\u200b",
    "привет",
    "ｐｕｔｅ",
    "\ufb01",
    "\u210c",  # ℌ: NFKD gives a capital
    "Ⅻ",
    "㎏",
    "’",
    "« »",
    "…",
    "€",
    "\n",
    "",
]


@st.composite
def odd_texts(draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    pieces = draw(
        st.lists(
            st.one_of(st.sampled_from(ODD), messages(), st.text(max_size=6), st.sampled_from(TRICKY)),
            max_size=5,
        )
    )
    return "".join(pieces)


def batches(texts: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """Lists of texts, some of them repeated (a chat repeats its texts)."""
    return st.lists(texts, max_size=12).flatmap(
        lambda distinct: st.lists(st.sampled_from(distinct), max_size=20) if distinct else st.just([])
    ) | st.lists(texts, max_size=12)


@settings(max_examples=300)
@example(texts=["A\x1fB", "ΑΣ", "\u212a", "x"])
@example(texts=["ΑΣ\x1fΒ", "é\xad", "", "\x00é"])
@given(texts=batches(odd_texts()))
def test_normalising_many_texts_is_normalising_each(matcher: SignalMatcher, texts: list[str]) -> None:
    folding = matcher._prefilter._folding
    assert folding.normalise_many(texts) == [folding.normalise(text) for text in texts]


@settings(max_examples=300)
@example(texts=["Élève", "ça VA ?", "ÀÉÎÕÜ àéîõü ÿ", ""])
@example(texts=["A\x1fB", "é", "\x00", "ß", "æ", "µ", "\xad", "Ω"])
@given(texts=batches(odd_texts()) | batches(st.text(st.characters(max_codepoint=0xFF), max_size=12)))
def test_the_gate_reads_folded_texts_as_it_reads_normalised_ones(
    matcher: SignalMatcher, texts: list[str]
) -> None:
    """``may_match`` skips splitting the texts normalised (``folded_joined``) when one byte
    table folds them all to ASCII: the same texts, the same ones kept."""
    prefilter = matcher._prefilter
    folding = prefilter._folding
    normalised = folding.normalise_many(texts)
    folded = folding.folded_joined(texts)
    if folded is not None:
        assert folded.decode("ascii").split("\x1f") == normalised
    assert prefilter.may_match(texts) == prefilter._gate.kept(normalised)


def test_french_texts_take_the_folded_way(matcher: SignalMatcher) -> None:
    folding = matcher._prefilter._folding
    texts = ["Élève en 5e, tu es NUL", "ça va ? À demain", "t’inquiète"]
    assert folding.folded_joined(texts[:2]) == "\x1f".join(map(folding.normalise, texts[:2])).encode()
    assert folding.folded_joined(texts) is None  # ’ is not Latin-1: the general way


def test_the_folding_classes_hold_what_safetype_deletes_and_keeps(matcher: SignalMatcher) -> None:
    """The classes are written as ranges (fast on emoji): each character of the scanned ranges
    is in the class it belongs to, and only there."""
    folding = matcher._prefilter._folding
    for low, high in _SCANNED_RANGES:
        for char in map(chr, range(low, high + 1)):
            normalised = normalize_char(char)
            assert (folding.deleted.fullmatch(char) is not None) == (not normalised), hex(ord(char))
            assert (folding.not_kept.fullmatch(char) is None) == (normalised == char), hex(ord(char))


def scan_each(matcher: SignalMatcher, texts: list[str]) -> dict[int, tuple[Any, ...]]:
    return {i: hits for i, text in enumerate(texts) if (hits := matcher.scan(text))}


@settings(max_examples=300)
@example(texts=["sale", "pute", "t'es", "nul", "p", "u t e"])
@example(texts=["sale\x1f", "\x1fpute", "t'es\x1f\u4e00\x1fnul", "connard"])
@example(texts=[TRICKY[0], "", TRICKY[0], "mort de rire", "t'es mort"])
# The gate's token boundaries: an underscore, a leet sign or an emoji before a word, an
# apostrophe between two, spaced letters across the texts' joins.
@example(texts=["x_pute", "@lors p@te", "😀pute", "t\u2019es nul", "p.u.t.e", "p u", "t e"])
# Lone surrogates (some JSON exports hold them: they have no UTF-8 form) and texts that stay
# non-ASCII once folded, where the gate counts bytes, not characters.
@example(texts=["sale pute \ud800", "\udfff", "😀 t'es nul", "ok", "\ud83d connard", "Ω sale pute"])
@given(texts=batches(st.one_of(messages(), odd_texts(), st.sampled_from(TRICKY))))
def test_scanning_many_texts_is_scanning_each(matcher: SignalMatcher, texts: list[str]) -> None:
    assert matcher.scan_many(texts) == scan_each(matcher, texts)
    candidates = matcher._prefilter.candidates_many(texts)
    assert candidates == {
        i: rules for i, text in enumerate(texts) if (rules := matcher._prefilter.candidates(text))
    }


def test_scanning_a_chat_at_once_is_scanning_each_message(
    matcher: SignalMatcher, corpus: list[dict[str, Any]]
) -> None:
    texts = [m["text"] for m in corpus] + chat_messages(3_000, corpus) + TRICKY
    found = matcher.scan_many(texts)
    assert found == scan_each(matcher, texts)
    assert list(found) == sorted(found)
    assert matcher.scan_many([]) == {}


# ---------------------------------------------------------------------------------- speed


def chat_messages(count: int, corpus: list[dict[str, Any]]) -> list[str]:
    """Generated chat lines, like ../shared/bench/gen_whatsapp.py, with some corpus messages."""
    rng = random.Random(42)
    hostile = [m["text"] for m in corpus]
    texts = []
    for _ in range(count):
        if rng.random() < 0.03:
            texts.append(rng.choice(hostile))
        else:
            texts.append(" ".join(rng.choice(ORDINARY) for _ in range(rng.randint(1, 18))))
    return texts


def test_scanning_20000_messages_is_fast(matcher: SignalMatcher, corpus: list[dict[str, Any]]) -> None:
    texts = chat_messages(20_000, corpus)
    start = time.perf_counter()
    flagged = sum(1 for text in texts if matcher.scan(text))
    elapsed = time.perf_counter() - start
    assert flagged > 300  # the hostile lines, and the odd "t'es nul" made of ordinary words
    assert elapsed < 1.5, f"{elapsed:.2f} s for 20,000 messages"


def test_scanning_20000_messages_at_once_is_fast(
    matcher: SignalMatcher, corpus: list[dict[str, Any]]
) -> None:
    texts = chat_messages(20_000, corpus)
    start = time.perf_counter()
    flagged = len(matcher.scan_many(texts))
    elapsed = time.perf_counter() - start
    assert flagged > 300
    assert elapsed < 1.0, f"{elapsed:.2f} s for 20,000 messages"
