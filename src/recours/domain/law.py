"""The law, as data: the offences a harassment case may concern, and the deadlines to act.

``data/law_fr.toml`` lists the offences (article, plain description, what must be shown,
maximum penalties with their aggravating circumstances, limitation period, the laws that
made them, sources). This module validates that file (:class:`LawBook`) and offers two pure
functions over what the app knows of a case (:class:`CaseFacts`):

- :func:`suggest_offences`: the offences the recorded facts *may* concern, each with the
  facts that point to it, ordered by relevance. A suggestion is a lead for a professional,
  never a legal qualification.
- :func:`compute_deadlines`: the limitation period (prescription) of each of them, computed
  from the dates recorded. Always worded as information to check with a professional.

Unknown is never "no": a fact that is missing (an age, a date, whether the content was public)
never rules an offence out, it adds a caveat; a deadline without its starting date is
"unknown", never "expired".

Date arithmetic (see :func:`period_end`). A period in months or years runs "de quantième à
quantième": it ends on the day of the last month that bears the same number as the starting
day, and on the last day of that month when it has no such day (31 January + 3 months →
30 April; 29 February 2024 + 6 years → 28 February 2030). This is the rule of art. 641 of the
code de procédure civile, which French criminal courts also follow for prescription periods
(Cass. crim. practice for the 3 months of art. 65 of the loi du 29 juillet 1881). The day of
the act itself is not counted, and the period runs until the end of its last day (art. 801
CPP: "expire le dernier jour à vingt-quatre heures"), so a public insult first published on
10 January can be prosecuted until 10 April inclusive. Art. 801 CPP also moves a deadline that
ends on a Saturday, Sunday or public holiday to the next working day; whether that applies to
prescription is not settled in our sources, so the date is not moved and the text says so.

Pure: no I/O, no clock; ``CaseFacts.today`` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal, get_args

from babel.dates import format_date
from pydantic import Field, StringConstraints, field_validator, model_validator

from recours.domain.common import HttpsUrl, Lang, StrictModel, Text
from recours.domain.directory import Disagreement
from recours.domain.hours import is_public_holiday
from recours.domain.orientation import add_months
from recours.domain.signals import Category
from recours.domain.situation import FLAGS, MAJORITY, Flag, Situation, SituationKind, Visibility

# ------------------------------------------------------------------------------ vocabulary

Circumstance = Literal[
    "online",  # by an online public communication service or a digital/electronic medium
    "minor_victim",  # the victim was under 18 at the time of the facts
    "minor_under_15",  # the victim was under 15 at the time of the facts
    "vulnerable_victim",  # particular vulnerability, apparent or known to the author
    "itt_over_8_days",  # incapacité totale de travail of more than 8 days
    "elected_official",  # the victim holds an elected office
    "minor_witness",  # a minor was present and witnessed the facts
    "suicide_or_attempt",  # the facts led the victim to suicide or to attempt it
    "death_threat",  # a threat to kill
    "discriminatory",  # origin, religion, sex, sexual orientation, gender identity, disability…
    "partner",  # the author is the victim's partner or ex-partner
    "threat_carried_out",  # the blackmailer carried out the threat (art. 312-11)
    "sexual_images",  # sexual images or videos used, or sought
    "organised_gang",  # bande organisée
    "public_official_author",  # the author holds public authority or a public-service mission
    "public_official_victim",  # the victim is a public official, an elected official or a journalist
    "repeat_offence",  # récidive
]
CIRCUMSTANCES: tuple[Circumstance, ...] = get_args(Circumstance)

# What starts a limitation period.
Start = Literal[
    "act",  # the day of each act (art. 8 al. 1 and 9 CPP): each act has its own deadline
    "last_act",  # the last act of a "délit d'habitude" such as harassment
    "publication",  # the first publication (loi du 29 juillet 1881, art. 65)
    "majority",  # the victim's 18th birthday, for some offences against minors (art. 8 al. 2 CPP)
]
Status = Literal["running", "expired", "unknown"]
OffenceKind = Literal["delit", "contravention"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Article = Annotated[str, StringConstraints(min_length=1, max_length=40)]


# -------------------------------------------------------------------------------- the data


class Source(StrictModel):
    """Where a fact comes from: a key of research/domain.md §9 (``S22``) or its section."""

    ref: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: HttpsUrl | None = None
    # The date of the version read, when the source shows one (a page's "modified" date).
    seen: date | None = None



class LawChange(StrictModel):
    """A law that created or changed the article."""

    law: str = Field(min_length=1)
    in_force: date | None = None
    change: Text
    checked: bool
    note: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> LawChange:
        if not self.checked and not self.note:
            raise ValueError(f"{self.law}: an unchecked fact says what is to check (note)")
        return self


class Aggravation(StrictModel):
    circumstance: Circumstance
    # The circumstance as the law words it, in plain language.
    text: Text
    # Counts toward tiers such as 222-33-2-2's "two of the circumstances 1° to 5°".
    counted: bool = False
    # In force from this day; before it, `before` says what applied.
    since: date | None = None
    before: Text | None = None

    @model_validator(mode="after")
    def _before_needs_since(self) -> Aggravation:
        if self.before is not None and self.since is None:
            raise ValueError(f"{self.circumstance}: 'before' needs 'since'")
        return self


class Penalty(StrictModel):
    """A maximum penalty, for adult authors, and the circumstances it needs."""

    requires: list[Circumstance] = []
    # At least this many of the offence's `counted` aggravations (222-33-2-2: one → 2 years…).
    at_least: int = Field(default=0, ge=0)
    # When `requires`/`at_least` do not say it all (e.g. "in the gravest case of these articles").
    when: Text | None = None
    prison_months: int | None = Field(default=None, gt=0)
    fine_eur: int | None = Field(default=None, gt=0)
    # Contraventions: the class of the fine (R621-2: 1st class).
    fine_class: int | None = Field(default=None, ge=1, le=5)
    # The article that sets this tier, when it is not the offence's own (312-11).
    article: str | None = None
    checked: bool
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Penalty:
        if self.prison_months is None and self.fine_eur is None:
            raise ValueError("a penalty has a prison term or a fine")
        if not self.checked and not self.note:
            raise ValueError("an unchecked penalty says what is to check (note)")
        return self

    @property
    def weight(self) -> tuple[int, int]:
        return (self.prison_months or 0, self.fine_eur or 0)

    @property
    def is_base(self) -> bool:
        return not self.requires and self.at_least == 0

    def text(self) -> Text:
        """The penalty in words: « Jusqu’à 3 ans de prison et 45 000 € d’amende. »"""
        fr: list[str] = []
        en: list[str] = []
        if self.prison_months is not None:
            fr.append(f"{_duration_fr(self.prison_months)} de prison")
            en.append(f"{_duration_en(self.prison_months)} in prison")
        if self.fine_eur is not None:
            fr.append(f"{_euros_fr(self.fine_eur)} d’amende")
            en.append(f"a €{self.fine_eur:,} fine")
        text_fr, text_en = f"Jusqu’à {' et '.join(fr)}", f"Up to {' and '.join(en)}"
        if self.fine_class is not None:
            ordinal = "1re" if self.fine_class == 1 else f"{self.fine_class}e"
            text_fr += f" (contravention de {ordinal} classe)"
            text_en += f" (class {self.fine_class} petty offence)"
        if not self.checked:
            text_fr += " — montant à vérifier"
            text_en += " — figure to be checked"
        return Text(fr=text_fr + ".", en=text_en + ".")


class Period(StrictModel):
    years: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _positive(self) -> Period:
        if self.years == 0 and self.months == 0:
            raise ValueError("a period is at least one month")
        return self

    @property
    def total_months(self) -> int:
        return 12 * self.years + self.months

    def text(self) -> Text:
        return Text(fr=_duration_fr(self.total_months), en=_duration_en(self.total_months))


class Limitation(StrictModel):
    """A limitation period (prescription de l'action publique) and what starts it."""

    period: Period
    starts: Start
    # The variant applies when all these circumstances hold (art. 65-3: discriminatory → 1 year).
    when: list[Circumstance] = []
    # The articles that set it ("CPP art. 8 al. 1", "loi 1881 art. 65").
    basis: str = Field(min_length=1)
    checked: bool
    note: str | None = None
    # Shown to the user with the deadline (e.g. sources that disagree).
    caution: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Limitation:
        if not self.checked and not self.note:
            raise ValueError(f"{self.basis}: an unchecked limitation says what is to check (note)")
        if (self.starts == "majority") != ("minor_victim" in self.when):
            raise ValueError("a period that starts at majority applies when the victim was a minor")
        return self


class Trigger(StrictModel):
    """Facts that point to an offence: any of the categories, situations or flags, or a
    pile-on; and, if given, every circumstance of `needs` known to hold."""

    categories: list[Category] = []
    situations: list[SituationKind] = []
    flags: list[Flag] = []
    pile_on: bool = False
    needs: list[Circumstance] = []
    weight: int = Field(ge=1, le=3)
    because: Text

    @model_validator(mode="after")
    def _some_fact(self) -> Trigger:
        if not (self.categories or self.situations or self.flags or self.pile_on):
            raise ValueError("a trigger names at least one fact")
        return self


class Offence(StrictModel):
    id: Id
    kind: OffenceKind
    # "code pénal" or "loi du 29 juillet 1881".
    code: str = Field(min_length=1)
    articles: list[Article] = Field(min_length=1)
    title: Text
    # One line, plain French.
    summary: Text
    # What must be shown (the constituent elements).
    elements: list[Text] = Field(min_length=1)
    # Offences that exist only against a minor (227-23-1) or only in public / in private.
    victim: Literal["any", "minor"] = "any"
    scope: Literal["any", "public", "private"] = "any"
    in_force: date | None = None
    aggravations: list[Aggravation] = []
    penalties: list[Penalty] = Field(min_length=1)
    limitations: list[Limitation] = Field(min_length=1)
    history: list[LawChange] = []
    triggers: list[Trigger] = []
    additional_penalties: list[Id] = []
    notes: list[Text] = []
    disagreements: list[Disagreement] = []
    sources: list[Source] = Field(min_length=1)
    last_checked: date

    @model_validator(mode="after")
    def _consistent(self) -> Offence:
        if sum(p.is_base for p in self.penalties) != 1:
            raise ValueError(f"{self.id}: exactly one base penalty (no `requires`, no `at_least`)")
        if not any(not lim.when for lim in self.limitations):
            raise ValueError(f"{self.id}: a limitation without conditions (`when`) is needed")
        known = {a.circumstance for a in self.aggravations}
        counted = sum(a.counted for a in self.aggravations)
        for penalty in self.penalties:
            if missing := set(penalty.requires) - known:
                raise ValueError(f"{self.id}: a penalty requires {sorted(missing)}, not in aggravations")
            if penalty.at_least > counted:
                raise ValueError(f"{self.id}: at_least {penalty.at_least} > counted aggravations")
        for limitation in self.limitations:
            if missing := set(limitation.when) - known - {"minor_victim"}:
                raise ValueError(f"{self.id}: a limitation needs {sorted(missing)}, not in aggravations")
        return self

    @property
    def base_penalty(self) -> Penalty:
        return next(p for p in self.penalties if p.is_base)

    @property
    def max_penalty(self) -> Penalty:
        return max(self.penalties, key=lambda p: p.weight)

    def penalty_for(self, known: Iterable[Circumstance]) -> Penalty:
        """The heaviest tier whose circumstances are all known to hold."""
        present = set(known)
        counted = sum(1 for a in self.aggravations if a.counted and a.circumstance in present)
        reached = [p for p in self.penalties if set(p.requires) <= present and counted >= p.at_least]
        return max(reached, key=lambda p: p.weight)

    @property
    def reference(self) -> Text:
        """The articles in words: « art. 222-33-2-2 du code pénal »."""
        joined = " et ".join(self.articles)
        joined_en = " and ".join(self.articles)
        plural = "s" if len(self.articles) > 1 else ""
        if self.code == "code pénal":
            return Text(fr=f"art. {joined} du code pénal", en=f"criminal code art{plural}. {joined_en}")
        return Text(
            fr=f"art. {joined} de la {self.code}",
            en=f"art{plural}. {joined_en} of the {_CODE_EN.get(self.code, self.code)}",
        )


_CODE_EN = {"loi du 29 juillet 1881": "Press Law of 29 July 1881"}


class Fact(StrictModel):
    """A sourced statement that is not an offence (a rule of an additional penalty, a note)."""

    text: Text
    checked: bool
    note: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> Fact:
        if not self.checked and not self.note:
            raise ValueError("an unchecked fact says what is to check (note)")
        return self


class AdditionalPenalty(StrictModel):
    """A penalty a court may add to the main one (131-35-1: suspension of accounts)."""

    id: Id
    code: str = Field(min_length=1)
    articles: list[Article] = Field(min_length=1)
    title: Text
    summary: Text
    details: list[Fact] = Field(min_length=1)
    applies_to: list[Id] = []
    applies_to_checked: bool
    note: str | None = None
    history: list[LawChange] = []
    sources: list[Source] = Field(min_length=1)
    last_checked: date


class StruckDown(StrictModel):
    """A provision that was planned or voted but never became law (do not cite it)."""

    id: Id
    title: Text
    summary: Text
    planned_articles: list[Article] = []
    decision: str = Field(min_length=1)
    decided_on: date
    sources: list[Source] = Field(min_length=1)
    last_checked: date


class GeneralNote(StrictModel):
    id: Id
    text: Text
    checked: bool
    note: str | None = None
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _explained(self) -> GeneralNote:
        if not self.checked and not self.note:
            raise ValueError(f"{self.id}: an unchecked note says what is to check (note)")
        return self


class LawBook(StrictModel):
    """data/law_fr.toml."""

    last_checked: date
    # Shown with every suggestion and deadline: information, not legal advice.
    disclaimer: Text
    general: list[GeneralNote] = []
    offence: list[Offence] = Field(min_length=1)
    additional_penalty: list[AdditionalPenalty] = []
    struck_down: list[StruckDown] = []

    @model_validator(mode="after")
    def _consistent(self) -> LawBook:
        ids = [o.id for o in self.offence] + [a.id for a in self.additional_penalty]
        ids += [s.id for s in self.struck_down] + [g.id for g in self.general]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"ids used twice: {twice}")
        offences = {o.id for o in self.offence}
        extras = {a.id for a in self.additional_penalty}
        for offence in self.offence:
            if unknown := set(offence.additional_penalties) - extras:
                raise ValueError(f"{offence.id}: unknown additional penalties {sorted(unknown)}")
        for extra in self.additional_penalty:
            if unknown := set(extra.applies_to) - offences:
                raise ValueError(f"{extra.id}: applies to unknown offences {sorted(unknown)}")
            if missing := [o for o in extra.applies_to if extra.id not in self.get(o).additional_penalties]:
                raise ValueError(f"{extra.id}: {missing} do not list it in additional_penalties")
        return self

    def get(self, offence_id: str) -> Offence:
        for offence in self.offence:
            if offence.id == offence_id:
                return offence
        raise KeyError(offence_id)

    def additional(self, penalty_id: str) -> AdditionalPenalty:
        for extra in self.additional_penalty:
            if extra.id == penalty_id:
                return extra
        raise KeyError(penalty_id)

    def ids(self) -> list[str]:
        return [o.id for o in self.offence]


# ----------------------------------------------------------------------------- the facts


class CaseFacts(StrictModel):
    """What the app knows of a case. Every field but ``today`` is optional: missing means
    unknown, never "no". A category that was not found in the chats is not evidence that it
    did not happen; a flag not listed was not answered "yes"."""

    # Not strict: JSON and forms give dates as ISO 8601 text.
    today: date = Field(strict=False)
    # Signal categories found in the analysed chats (domain/signals.py).
    categories: list[Category] = []
    # A pile-on ("raid"): several authors against the same person.
    pile_on: bool | None = None
    # The situation kinds and the flags answered "yes" (domain/situation.py).
    situations: list[SituationKind] = []
    flags: list[Flag] = []
    visibility: Visibility | None = None
    # Whether the acts happened online or through a digital medium, when known for sure.
    online: bool | None = None
    # The victim's age today, or birth date (the birth date wins: it gives exact deadlines).
    victim_age: int | None = Field(default=None, ge=0, le=120)
    victim_birth_date: date | None = Field(default=None, strict=False)
    first_act: date | None = Field(default=None, strict=False)
    last_act: date | None = Field(default=None, strict=False)
    first_publication: date | None = Field(default=None, strict=False)

    @field_validator("categories", "situations", "flags")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    @model_validator(mode="after")
    def _coherent(self) -> CaseFacts:
        for name in ("victim_birth_date", "first_act", "last_act", "first_publication"):
            value = getattr(self, name)
            if value is not None and value > self.today:
                raise ValueError(f"{name} is after today")
        if self.first_act and self.last_act and self.first_act > self.last_act:
            raise ValueError("the first act is after the last act")
        birth, age = self.victim_birth_date, self.victim_age
        if birth is not None and age is not None and _age_on(birth, self.today) != age:
            raise ValueError("the victim's age and birth date disagree")
        return self

    @classmethod
    def from_situation(
        cls,
        situation: Situation,
        *,
        today: date,
        categories: Iterable[Category] = (),
        pile_on: bool | None = None,
        first_act: date | None = None,
        last_act: date | None = None,
        first_publication: date | None = None,
        victim_birth_date: date | None = None,
    ) -> CaseFacts:
        """The facts of an orientation answer, with what a chat analysis found."""
        flags = [name for name in FLAGS if situation.flag(name)]
        return cls(
            today=today,
            categories=list(categories),
            pile_on=pile_on,
            situations=list(situation.situations),
            flags=flags,
            visibility=situation.visibility,
            victim_age=None if victim_birth_date else situation.age,
            victim_birth_date=victim_birth_date,
            first_act=first_act or situation.first_seen,
            last_act=last_act,
            first_publication=first_publication,
        )

    @property
    def age(self) -> int | None:
        if self.victim_birth_date is not None:
            return _age_on(self.victim_birth_date, self.today)
        return self.victim_age


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _birthday_window(facts: CaseFacts, years: int) -> tuple[date, date] | None:
    """The earliest and latest day the victim turns ``years``: one day from a birth date; a
    year-long window from an age (born between today − (age+1) years + 1 day and today − age
    years). Birthdays follow :func:`period_end` (born 29 February → 28 February)."""
    if facts.victim_birth_date is not None:
        day = add_months(facts.victim_birth_date, 12 * years)
        return day, day
    if facts.victim_age is None:
        return None
    latest = add_months(facts.today, 12 * (years - facts.victim_age))
    earliest = add_months(facts.today, 12 * (years - facts.victim_age - 1)) + timedelta(days=1)
    return earliest, latest


def _younger_than(facts: CaseFacts, years: int) -> bool | None:
    """Was the victim under ``years`` at the time of the facts? None when it cannot be told.

    The oldest recorded act is the reference (a minor at the first act suffers part of the
    facts as a minor); without dates, today (the acts are in the past, so a victim who is
    under ``years`` today was then too)."""
    window = _birthday_window(facts, years)
    if window is None:
        return None
    earliest, latest = window
    reference = facts.first_act or facts.last_act or facts.first_publication
    if reference is None:
        return True if facts.today < earliest else None
    if reference < earliest:
        return True
    if reference >= latest:
        return False
    return None


# ----------------------------------------------------------------------- circumstances


@dataclass(frozen=True)
class Known:
    value: bool | None
    because: Text | None = None


_ONLINE_SITUATIONS: frozenset[SituationKind] = frozenset({"cyberharassment", "sextortion", "hacked_account"})
_HATE: frozenset[Category] = frozenset(
    {"hate_sexist", "hate_racist", "hate_lgbtphobic", "hate_ableist", "hate_religious"}
)

_BECAUSE: dict[Circumstance, Text] = {
    "online": Text(
        fr="Les faits ont eu lieu en ligne ou par des messages numériques.",
        en="The acts happened online or through digital messages.",
    ),
    "minor_victim": Text(
        fr="La victime avait moins de 18 ans au moment des faits.",
        en="The victim was under 18 at the time of the acts.",
    ),
    "minor_under_15": Text(
        fr="La victime avait moins de 15 ans au moment des faits.",
        en="The victim was under 15 at the time of the acts.",
    ),
    "death_threat": Text(
        fr="Des menaces de mort ont été relevées dans les conversations.",
        en="Death threats were found in the conversations.",
    ),
    "discriminatory": Text(
        fr="Des propos haineux ont été relevés : origine, religion, sexe, orientation sexuelle, identité de genre ou handicap.",
        en="Hateful words were found: origin, religion, sex, sexual orientation, gender identity or disability.",
    ),
    "sexual_images": Text(
        fr="Des images intimes sont en jeu (diffusées, menacées d’être diffusées ou réclamées).",
        en="Intimate images are involved (shared, threatened to be shared, or demanded).",
    ),
    "partner": Text(
        fr="Vous avez indiqué des violences par un conjoint ou un ex.",
        en="You mentioned violence by a partner or ex-partner.",
    ),
}


def known_circumstances(facts: CaseFacts) -> dict[Circumstance, Known]:
    """What the facts tell of each circumstance: True, False, or None (unknown)."""
    known: dict[Circumstance, Known] = {name: Known(None) for name in CIRCUMSTANCES}
    categories, situations = set(facts.categories), set(facts.situations)

    def found(name: Circumstance, value: bool | None) -> None:
        known[name] = Known(value, _BECAUSE.get(name) if value else None)

    if facts.online is not None:
        found("online", facts.online)
    elif categories or situations & _ONLINE_SITUATIONS:
        # A chat message is "un support numérique ou électronique" (222-33-2-2, 4°).
        found("online", True)
    found("minor_victim", _younger_than(facts, MAJORITY))
    found("minor_under_15", _younger_than(facts, 15))
    if "death_threat" in categories:
        found("death_threat", True)
    if categories & _HATE or "hate_speech" in situations:
        found("discriminatory", True)
    if categories & {"image_threat"} or situations & {"intimate_images", "sextortion"}:
        found("sexual_images", True)
    if "domestic_violence" in situations:
        found("partner", True)
    return known


# ------------------------------------------------------------------------- suggestions


class AggravationMatch(StrictModel):
    circumstance: Circumstance
    # The circumstance as the law words it, and the fact that shows it.
    law_text: Text
    because: Text
    caveat: Text | None = None


class Suggestion(StrictModel):
    offence: Offence
    score: int
    # The facts that point to the offence, strongest first.
    reasons: list[Text]
    aggravations: list[AggravationMatch]
    # The heaviest maximum penalty reached with what is known, and the heaviest of the article.
    penalty: Penalty
    max_penalty: Penalty
    caveats: list[Text]
    additional_penalties: list[AdditionalPenalty] = []


def suggest_offences(facts: CaseFacts, law: LawBook) -> list[Suggestion]:
    """The offences the recorded facts may concern, most relevant first.

    Relevance is the sum of the weights of the triggers that fired (data/law_fr.toml); ties go
    to the heavier penalty reached with what is known, then to the order of the file. An offence whose article
    came into force after every recorded act is kept, last, with a caveat."""
    known = known_circumstances(facts)
    ranked: list[tuple[tuple[bool, int, tuple[int, int], int], Suggestion]] = []
    for position, offence in enumerate(law.offence):
        fired = [t for t in offence.triggers if _fires(t, facts, known)]
        if not fired:
            continue
        caveats = _scope_caveats(offence, facts, known)
        if caveats is None:  # the facts rule it out for sure (a known adult, known private content)
            continue
        late = (
            offence.in_force is not None and facts.last_act is not None and facts.last_act < offence.in_force
        )
        if late and offence.in_force is not None:
            caveats.append(_NOT_YET_IN_FORCE.fill(_dates(in_force=offence.in_force)))
        matches, older = _aggravations(offence, facts, known)
        caveats.extend(older)
        present = [m.circumstance for m in matches]
        penalty = offence.penalty_for(present)
        reasons = [t.because for t in sorted(fired, key=lambda t: -t.weight)]
        suggestion = Suggestion(
            offence=offence,
            score=sum(t.weight for t in fired),
            reasons=list(dict.fromkeys(reasons)),
            aggravations=matches,
            penalty=penalty,
            max_penalty=offence.max_penalty,
            caveats=caveats,
            additional_penalties=[law.additional(i) for i in offence.additional_penalties],
        )
        ranked.append(((late, -suggestion.score, _negated(penalty.weight), position), suggestion))
    return [s for _, s in sorted(ranked, key=lambda pair: pair[0])]


def _negated(weight: tuple[int, int]) -> tuple[int, int]:
    return (-weight[0], -weight[1])


def _fires(trigger: Trigger, facts: CaseFacts, known: dict[Circumstance, Known]) -> bool:
    fact = (
        bool(set(trigger.categories) & set(facts.categories))
        or bool(set(trigger.situations) & set(facts.situations))
        or bool(set(trigger.flags) & set(facts.flags))
        or (trigger.pile_on and facts.pile_on is True)
    )
    return fact and all(known[name].value is True for name in trigger.needs)


def _scope_caveats(offence: Offence, facts: CaseFacts, known: dict[Circumstance, Known]) -> list[Text] | None:
    """Caveats for what is unknown; None when the facts rule the offence out."""
    caveats: list[Text] = []
    if offence.victim == "minor":
        minor = known["minor_victim"].value
        if minor is False:
            return None
        if minor is None:
            caveats.append(_ONLY_IF_MINOR)
    visibility = facts.visibility
    if offence.scope == "public":
        if visibility == "private":
            return None
        if visibility in (None, "unknown"):
            caveats.append(_ONLY_IF_PUBLIC)
    if offence.scope == "private":
        if visibility == "public":
            return None
        if visibility in (None, "unknown"):
            caveats.append(_ONLY_IF_PRIVATE)
    return caveats


def _aggravations(
    offence: Offence, facts: CaseFacts, known: dict[Circumstance, Known]
) -> tuple[list[AggravationMatch], list[Text]]:
    """The aggravating circumstances the facts show, and caveats for those that did not exist
    yet at the time of every recorded act (the older wording, ``before``, applied then)."""
    matches = []
    older: list[Text] = []
    for aggravation in offence.aggravations:
        state = known[aggravation.circumstance]
        if state.value is not True or state.because is None:
            continue
        caveat = None
        if aggravation.since is not None:
            values = _dates(since=aggravation.since)
            if facts.last_act is not None and facts.last_act < aggravation.since:
                if aggravation.before is not None:
                    older.append(_BEFORE.fill(values))
                    older.append(aggravation.before)
                continue  # every recorded act predates it: the older wording applies
            if facts.first_act is None or facts.first_act < aggravation.since:
                caveat = _SINCE.fill(values)
                if aggravation.before is not None:
                    caveat = Text(
                        fr=f"{caveat.fr} {aggravation.before.fr}", en=f"{caveat.en} {aggravation.before.en}"
                    )
        matches.append(
            AggravationMatch(
                circumstance=aggravation.circumstance,
                law_text=aggravation.text,
                because=state.because,
                caveat=caveat,
            )
        )
    return matches, older


_ONLY_IF_MINOR = Text(
    fr="Cette infraction ne concerne que les victimes mineures. Nous ne savons pas si la victime avait moins de 18 ans au moment des faits.",
    en="This offence concerns only victims under 18. We do not know whether the victim was under 18 at the time.",
)
_ONLY_IF_PUBLIC = Text(
    fr="Cette infraction concerne des propos publics (visibles par tous). Nous ne savons pas si c’était le cas.",
    en="This offence concerns public words (visible to anyone). We do not know whether that was the case.",
)
_ONLY_IF_PRIVATE = Text(
    fr="Cette infraction concerne des propos non publics (message privé, groupe fermé). Nous ne savons pas si c’était le cas.",
    en="This offence concerns words that were not public (private message, closed group). We do not know whether that was the case.",
)
_NOT_YET_IN_FORCE = Text(
    fr="Cet article s’applique aux faits commis depuis le {in_force}. Les faits enregistrés sont plus anciens : un professionnel vous dira quel texte s’applique.",
    en="This article applies to acts committed since {in_force}. The recorded acts are older: a professional will tell you which text applies.",
)
_BEFORE = Text(
    fr="Les faits enregistrés sont antérieurs au {since} : une circonstance aggravante avait alors une autre définition.",
    en="The recorded acts predate {since}: an aggravating circumstance was then defined differently.",
)
_SINCE = Text(
    fr="Cette circonstance compte pour les faits commis depuis le {since}.",
    en="This circumstance counts for acts committed since {since}.",
)


# --------------------------------------------------------------------------- deadlines


def period_end(start: date, period: Period) -> date:
    """The last day of a period that starts on ``start``, computed "de quantième à quantième".

    The day of ``start`` is not counted and the period runs until the end of the returned day
    (art. 801 CPP). Without the same day number in the last month, the last day of that month
    (art. 641 code de procédure civile): 31 January + 3 months → 30 April."""
    return add_months(start, period.total_months)


class Deadline(StrictModel):
    offence_id: str
    start: date | None
    start_reason: Text
    # The last day on which, by this calculation, the period still runs (inclusive).
    end: date | None
    status: Status
    period: Period
    basis: str
    # False when the rule itself is still to be checked (data/law_fr.toml: `checked`).
    checked: bool
    # True when a date was estimated (an age instead of a birth date, an assumed publication day).
    approximate: bool
    text: Text


def compute_deadlines(
    facts: CaseFacts, law: LawBook, offence_ids: Sequence[str] | None = None
) -> list[Deadline]:
    """The limitation periods of the given offences (by default, the suggested ones).

    For each offence, every limitation that may apply: the general one, and the variants whose
    circumstances are known to hold (a discriminatory insult: 1 year). A variant that starts at
    the victim's majority is given when the victim was a minor, and "unknown" when their age
    is unknown. An offence of instantaneous acts gets the deadline of the oldest recorded act
    (the first to run out) and, when it differs, of the most recent one."""
    ids = (
        list(offence_ids) if offence_ids is not None else [s.offence.id for s in suggest_offences(facts, law)]
    )
    known = known_circumstances(facts)
    deadlines: list[Deadline] = []
    for offence_id in ids:
        offence = law.get(offence_id)
        for limitation in offence.limitations:
            conditions = [known[name].value for name in limitation.when]
            if any(value is False for value in conditions):
                continue
            if limitation.starts != "majority" and any(value is None for value in conditions):
                continue
            deadlines.extend(_deadlines_of(offence, limitation, facts, law, known["minor_victim"].value))
    return deadlines


@dataclass(frozen=True)
class _Start:
    day: date | None
    # What starts the period, and, when its date is unknown, what is missing.
    reason: Text
    missing: Text | None = None
    approximate: bool = False


def _starts(limitation: Limitation, facts: CaseFacts, minor: bool | None) -> list[_Start]:
    if limitation.starts == "publication":
        if facts.first_publication is not None:
            return [_Start(facts.first_publication, _FROM_PUBLICATION)]
        if facts.first_act is not None:
            return [_Start(facts.first_act, _FROM_FIRST_ACT_AS_PUBLICATION, approximate=True)]
        return [_Start(None, _FROM_PUBLICATION, _MISSING_PUBLICATION)]
    if limitation.starts == "last_act":
        return [_Start(facts.last_act, _FROM_LAST_ACT, None if facts.last_act else _MISSING_LAST_ACT)]
    if limitation.starts == "act":
        starts = []
        if facts.first_act is not None:
            starts.append(_Start(facts.first_act, _FROM_OLDEST_ACT))
        if facts.last_act is not None and facts.last_act != facts.first_act:
            starts.append(_Start(facts.last_act, _FROM_NEWEST_ACT))
        return starts or [_Start(None, _FROM_ACT, _MISSING_ACT)]
    window = _birthday_window(facts, MAJORITY)
    if window is None:
        return [_Start(None, _FROM_MAJORITY, _MISSING_AGE)]
    if minor is not True:
        return [_Start(None, _FROM_MAJORITY, _MINOR_AT_THE_TIME_UNKNOWN)]
    earliest, latest = window
    # From an age only, the earliest possible 18th birthday: the earlier end, the safer date.
    return [_Start(earliest, _FROM_MAJORITY, approximate=earliest != latest)]


def _deadlines_of(
    offence: Offence, limitation: Limitation, facts: CaseFacts, law: LawBook, minor: bool | None
) -> list[Deadline]:
    results = []
    for start in _starts(limitation, facts, minor):
        end: date | None = None
        status: Status = "unknown"
        if start.day is not None:
            end = period_end(start.day, limitation.period)
            status = "expired" if facts.today > end else "running"
        results.append(
            Deadline(
                offence_id=offence.id,
                start=start.day,
                start_reason=start.reason,
                end=end,
                status=status,
                period=limitation.period,
                basis=limitation.basis,
                checked=limitation.checked,
                approximate=start.approximate,
                text=_deadline_text(offence, limitation, start, end, status, law),
            )
        )
    return results


def _deadline_text(
    offence: Offence, limitation: Limitation, start: _Start, end: date | None, status: Status, law: LawBook
) -> Text:
    reference = offence.reference
    period = limitation.period.text()
    parts: list[Text] = [
        Text(fr=f"{offence.title.fr} — {reference.fr}.", en=f"{offence.title.en} — {reference.en}.")
    ]
    if start.day is None or end is None:
        missing = start.missing or _MISSING_ACT
        parts.append(
            Text(
                fr=f"Le délai pour agir (prescription) est de {period.fr}. Point de départ : {start.reason.fr}. Nous ne pouvons pas le calculer : {missing.fr}",
                en=f"The time limit to act (limitation period) is {period.en}. Starting point: {start.reason.en}. We cannot compute it: {missing.en}",
            )
        )
    else:
        values = _dates(start=start.day, end=end)
        parts.append(
            Text(
                fr=f"Le délai pour agir (prescription) est de {period.fr}, à compter du {{start}} ({start.reason.fr}).",
                en=f"The time limit to act (limitation period) is {period.en}, from {{start}} ({start.reason.en}).",
            ).fill(values)
        )
        parts.append((_RUNNING if status == "running" else _EXPIRED).fill(values))
        if start.approximate:
            parts.append(_APPROXIMATE)
        if end.weekday() >= 5 or is_public_holiday(end):
            parts.append(_NON_WORKING_DAY)
    if limitation.caution is not None:
        parts.append(limitation.caution)
    if not limitation.checked:
        parts.append(_RULE_TO_CHECK)
    parts.append(law.disclaimer)
    return Text(fr=" ".join(p.fr for p in parts), en=" ".join(p.en for p in parts))


_FROM_PUBLICATION = Text(fr="la première publication", en="the first publication")
_FROM_FIRST_ACT_AS_PUBLICATION = Text(
    fr="le premier fait enregistré ; nous supposons que c’est le jour de la première publication",
    en="the first recorded act; we assume it is the day of the first publication",
)
_FROM_LAST_ACT = Text(fr="le dernier fait enregistré", en="the last recorded act")
_FROM_OLDEST_ACT = Text(
    fr="le plus ancien fait enregistré ; chaque fait a son propre délai",
    en="the oldest recorded act; each act has its own time limit",
)
_FROM_NEWEST_ACT = Text(
    fr="le fait enregistré le plus récent ; chaque fait a son propre délai",
    en="the most recent recorded act; each act has its own time limit",
)
_FROM_ACT = Text(fr="la date de chaque fait", en="the date of each act")
_FROM_MAJORITY = Text(fr="les 18 ans de la victime", en="the victim’s 18th birthday")
_MISSING_PUBLICATION = Text(
    fr="il manque la date de la première publication.", en="the date of the first publication is missing."
)
_MINOR_AT_THE_TIME_UNKNOWN = Text(
    fr="nous ne savons pas si la victime avait moins de 18 ans au moment des faits. Donnez sa date de naissance et la date des faits.",
    en="we do not know whether the victim was under 18 at the time. Give their birth date and the date of the acts.",
)
_MISSING_LAST_ACT = Text(fr="il manque la date du dernier fait.", en="the date of the last act is missing.")
_MISSING_ACT = Text(fr="il manque la date des faits.", en="the date of the acts is missing.")
_MISSING_AGE = Text(
    fr="il manque la date de naissance ou l’âge de la victime.",
    en="the victim’s birth date or age is missing.",
)
_RUNNING = Text(
    fr="D’après ce calcul, le délai court jusqu’au {end} inclus.",
    en="By this calculation, the time limit runs until {end} inclusive.",
)
_EXPIRED = Text(
    fr="D’après ce calcul, le délai aurait pris fin le {end}. Ce n’est pas certain : un acte de procédure a pu l’interrompre, ou une autre règle peut s’appliquer.",
    en="By this calculation, the time limit would have ended on {end}. This is not certain: a procedural step may have interrupted it, or another rule may apply.",
)
_APPROXIMATE = Text(
    fr="Cette date est approximative : donnez la date exacte pour un calcul précis.",
    en="This date is approximate: give the exact date for a precise calculation.",
)
_NON_WORKING_DAY = Text(
    fr="Cette date tombe un samedi, un dimanche ou un jour férié : demandez si elle est reportée au jour ouvrable suivant.",
    en="This date falls on a Saturday, Sunday or public holiday: ask whether it moves to the next working day.",
)
_RULE_TO_CHECK = Text(
    fr="Cette règle de calcul n’est pas encore confirmée par nos sources.",
    en="This rule is not yet confirmed by our sources.",
)


# ----------------------------------------------------------------------------- helpers

_LOCALES: tuple[tuple[Lang, str], ...] = (("fr", "fr_FR"), ("en", "en_GB"))


def _dates(**days: date) -> dict[Lang, dict[str, str]]:
    return {
        lang: {name: _long_date(day, lang, locale) for name, day in days.items()} for lang, locale in _LOCALES
    }


def _long_date(day: date, lang: Lang, locale: str) -> str:
    text = format_date(day, format="long", locale=locale)
    # French writes the first day of a month as an ordinal: "1er mars 2026" (Babel: "1 mars").
    if lang == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def _duration_fr(months: int) -> str:
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} an" + ("s" if years > 1 else ""))
    if rest:
        parts.append(f"{rest} mois")
    return " et ".join(parts)


def _duration_en(months: int) -> str:
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year" + ("s" if years > 1 else ""))
    if rest:
        parts.append(f"{rest} month" + ("s" if rest > 1 else ""))
    return " and ".join(parts)


def _euros_fr(amount: int) -> str:
    # French groups thousands with a narrow no-break space: 45 000 €.
    return f"{amount:,}".replace(",", "\u202f") + " €"
