"""The orientation engine: declarative rules (data/orientation.toml) evaluated over a Situation.

Rules are data, each with its sources (research/domain.md §6). This module only knows how
to evaluate a condition and how to order the results; it knows nothing of any particular
organisation. Guarantees enforced here rather than in the data, because a mistake in the
data must never break them:

* an entry that is not ``active`` (superseded, unverified, no public contact) is never
  recommended nor given as an urgent contact;
* an entry whose audience excludes the person's age is never recommended (StopNCII is for
  adults only);
* urgent contacts come first and exist only when a safety rule fires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from babel.dates import format_date
from pydantic import Field, model_validator

from recours.domain.common import Lang, Placeholders, StrictModel, Text
from recours.domain.directory import (
    Channel,
    ChannelState,
    Directory,
    Resource,
    Role,
    Source,
    channel_states,
)
from recours.domain.hours import OpenState, state_at
from recours.domain.situation import (
    Flag,
    Goal,
    Situation,
    SituationKind,
    Visibility,
)


class Condition(StrictModel):
    """All the constraints given must hold (AND); ``any_of`` holds if one sub-condition does.

    Unknown answers never satisfy a constraint, except age constraints marked
    ``age_unknown_ok`` (so the 3018 is still offered for school harassment when the age
    was not given).
    """

    role_in: list[Role] = []
    age_below: int | None = None
    age_at_least: int | None = None
    age_unknown_ok: bool = False
    situations_any: list[SituationKind] = []
    situations_none: list[SituationKind] = []
    situations_only: list[SituationKind] = []
    visibility_in: list[Visibility] = []
    goals_any: list[Goal] = []
    flags_true: list[Flag] = []
    flags_false: list[Flag] = []
    flags_not_true: list[Flag] = []
    has_first_seen: bool | None = None
    any_of: list[Condition] = []

    def holds(self, s: Situation) -> bool:
        return all(check(s) for check in self._checks())

    def _checks(self) -> list[Callable[[Situation], bool]]:
        checks: list[Callable[[Situation], bool]] = []
        if self.role_in:
            checks.append(lambda s: s.role in self.role_in)
        if self.age_below is not None:
            limit = self.age_below
            checks.append(lambda s: self.age_unknown_ok if s.age is None else s.age < limit)
        if self.age_at_least is not None:
            floor = self.age_at_least
            checks.append(lambda s: self.age_unknown_ok if s.age is None else s.age >= floor)
        if self.situations_any:
            checks.append(lambda s: any(k in s.situations for k in self.situations_any))
        if self.situations_none:
            checks.append(lambda s: not any(k in s.situations for k in self.situations_none))
        if self.situations_only:
            checks.append(lambda s: all(k in self.situations_only for k in s.situations))
        if self.visibility_in:
            checks.append(lambda s: (s.visibility or "unknown") in self.visibility_in)
        if self.goals_any:
            checks.append(lambda s: any(g in s.goals for g in self.goals_any))
        checks += [_flag_is(flag, True) for flag in self.flags_true]
        checks += [_flag_is(flag, False) for flag in self.flags_false]
        checks += [_flag_is_not_true(flag) for flag in self.flags_not_true]
        if self.has_first_seen is not None:
            wanted = self.has_first_seen
            checks.append(lambda s: (s.first_seen is not None) == wanted)
        if self.any_of:
            checks.append(lambda s: any(c.holds(s) for c in self.any_of))
        return checks


def _flag_is(flag: Flag, wanted: bool) -> Callable[[Situation], bool]:
    return lambda s: s.flag(flag) is wanted


def _flag_is_not_true(flag: Flag) -> Callable[[Situation], bool]:
    return lambda s: s.flag(flag) is not True


class UrgentRule(StrictModel):
    id: str
    when: Condition
    contact: str
    channel: Literal["phone", "sms", "chat", "web_form", "app"]
    # Lower comes first: 17/112/114 before 3114 before 119.
    order: int
    why: Text
    sources: list[str] = Field(min_length=1)


class RecommendRule(StrictModel):
    id: str
    when: Condition
    resource: str
    weight: int = Field(ge=1, le=100)
    why: Text
    what_to_do: Text
    sources: list[str] = Field(min_length=1)


class ExcludeRule(StrictModel):
    """Scope limits: an organisation that must not be recommended in this situation."""

    id: str
    when: Condition
    resource: str
    reason: Text
    sources: list[str] = Field(min_length=1)


class WarningRule(StrictModel):
    code: str
    when: Condition = Condition()
    # Fires only when this entry ends up recommended (e.g. "Pharos is not a complaint").
    if_recommended: str | None = None
    text: Text
    sources: list[str] = Field(min_length=1)


class NextStepRule(StrictModel):
    id: str
    when: Condition = Condition()
    text: Text
    sources: list[str] = Field(min_length=1)


class RuleBook(StrictModel):
    sources: dict[str, Source]
    urgent: list[UrgentRule]
    recommend: list[RecommendRule]
    exclude: list[ExcludeRule] = []
    warning: list[WarningRule] = []
    next_step: list[NextStepRule] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleBook:
        identified: list[UrgentRule | RecommendRule | ExcludeRule | NextStepRule] = [
            *self.urgent,
            *self.recommend,
            *self.exclude,
            *self.next_step,
        ]
        ids = [r.id for r in identified]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids repeat: {repeated}")
        cited = {key for rule in [*identified, *self.warning] for key in rule.sources}
        missing = sorted(cited - set(self.sources))
        if missing:
            raise ValueError(f"rules cite unknown sources: {missing}")
        return self

    def check_against(self, directory: Directory) -> list[str]:
        """Problems linking rules to the directory (empty when consistent)."""
        known = set(directory.ids())
        problems = []
        linked: list[UrgentRule | RecommendRule | ExcludeRule | WarningRule] = [
            *self.urgent,
            *self.recommend,
            *self.exclude,
            *self.warning,
        ]
        for rule in linked:
            target = _target(rule)
            name = rule.code if isinstance(rule, WarningRule) else rule.id
            if target is None:
                continue
            if target not in known:
                problems.append(f"{name}: unknown entry {target!r}")
            elif not directory.get(target).contactable and isinstance(rule, (UrgentRule, RecommendRule)):
                problems.append(f"{name}: {target!r} is not active and cannot be recommended")
        return problems


def _target(rule: UrgentRule | RecommendRule | ExcludeRule | WarningRule) -> str | None:
    if isinstance(rule, UrgentRule):
        return rule.contact
    if isinstance(rule, WarningRule):
        return rule.if_recommended
    return rule.resource


# ---------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class UrgentContact:
    resource: Resource
    why: Text
    channel: Channel
    rule_id: str


@dataclass(frozen=True)
class Recommendation:
    resource: Resource
    rank: int
    why: list[Text]
    what_to_do: Text
    channels: list[ChannelState]
    state: OpenState
    rule_ids: list[str]


@dataclass(frozen=True)
class Warning:
    code: str
    text: Text


@dataclass(frozen=True)
class Excluded:
    resource: Resource
    reason: Text


@dataclass(frozen=True)
class Orientation:
    urgent: list[UrgentContact]
    recommendations: list[Recommendation]
    warnings: list[Warning]
    next_steps: list[Text]
    excluded: list[Excluded]

    def ordered_ids(self) -> list[str]:
        """Urgent contacts first, then recommendations by rank (the scenarios' list L)."""
        return [u.resource.id for u in self.urgent] + [r.resource.id for r in self.recommendations]


def orient(situation: Situation, rules: RuleBook, directory: Directory, now: datetime) -> Orientation:
    """Turn a situation into urgent contacts, ranked recommendations, warnings and next steps."""
    values = _placeholders(situation)
    urgent = _urgent(situation, rules, directory, values)
    excluded = _excluded(situation, rules, directory, values)
    blocked = {e.resource.id for e in excluded}
    recommendations = _recommendations(situation, rules, directory, blocked, values, now)
    recommended = {r.resource.id for r in recommendations}
    warnings = [
        Warning(code=w.code, text=w.text.fill(values))
        for w in rules.warning
        if w.when.holds(situation) and (w.if_recommended is None or w.if_recommended in recommended)
    ]
    next_steps = [n.text.fill(values) for n in rules.next_step if n.when.holds(situation)]
    shown = {u.resource.id for u in urgent} | {r.resource.id for r in recommendations}
    return Orientation(
        urgent=urgent,
        recommendations=recommendations,
        warnings=_unique_codes(warnings),
        next_steps=next_steps,
        excluded=[e for e in excluded if e.resource.id not in shown],
    )


def _urgent(s: Situation, rules: RuleBook, directory: Directory, values: Placeholders) -> list[UrgentContact]:
    fired = sorted(
        (r for r in rules.urgent if r.when.holds(s)), key=lambda r: (r.order, rules.urgent.index(r))
    )
    contacts: list[UrgentContact] = []
    for rule in fired:
        resource = directory.get(rule.contact)
        if not resource.contactable or any(c.resource.id == resource.id for c in contacts):
            continue
        channel = next((c for c in resource.channels if c.kind == rule.channel), resource.channels[0])
        contacts.append(UrgentContact(resource, rule.why.fill(values), channel, rule.id))
    return contacts


def _excluded(s: Situation, rules: RuleBook, directory: Directory, values: Placeholders) -> list[Excluded]:
    """Scope limits that apply: the rules' own, then the audience's ages of entries that a
    rule would otherwise recommend (so an adult is not told about every children's line)."""
    found: dict[str, Excluded] = {}
    for rule in rules.exclude:
        if rule.when.holds(s) and rule.resource not in found:
            found[rule.resource] = Excluded(directory.get(rule.resource), rule.reason.fill(values))
    for recommend in rules.recommend:
        resource = directory.get(recommend.resource)
        if resource.id not in found and recommend.when.holds(s) and not _age_fits(resource, s.age):
            found[resource.id] = Excluded(resource, _NOT_FOR_THIS_AGE)
    return list(found.values())


_NOT_FOR_THIS_AGE = Text(
    fr="Ce service n’est pas prévu pour l’âge indiqué.",
    en="This service is not meant for the age given.",
)


def _recommendations(
    s: Situation,
    rules: RuleBook,
    directory: Directory,
    blocked: set[str],
    values: Placeholders,
    now: datetime,
) -> list[Recommendation]:
    # Several rules may point to the same organisation: keep the strongest weight and the
    # what-to-do of that rule, and give every reason that applied.
    best: dict[str, tuple[int, int, RecommendRule, list[RecommendRule]]] = {}
    for position, rule in enumerate(rules.recommend):
        if rule.resource in blocked or not rule.when.holds(s):
            continue
        if not directory.get(rule.resource).contactable:
            continue
        if rule.resource in best:
            weight, first, top, all_rules = best[rule.resource]
            all_rules.append(rule)
            if rule.weight > weight:
                best[rule.resource] = (rule.weight, first, rule, all_rules)
        else:
            best[rule.resource] = (rule.weight, position, rule, [rule])
    ordered = sorted(best.values(), key=lambda entry: (-entry[0], entry[1]))
    results = []
    for rank, (_, _, top, all_rules) in enumerate(ordered, start=1):
        resource = directory.get(top.resource)
        results.append(
            Recommendation(
                resource=resource,
                rank=rank,
                why=[r.why.fill(values) for r in sorted(all_rules, key=lambda r: -r.weight)],
                what_to_do=top.what_to_do.fill(values),
                channels=channel_states(resource, now),
                state=state_at(resource.hours, now),
                rule_ids=[r.id for r in all_rules],
            )
        )
    return results


def _age_fits(resource: Resource, age: int | None) -> bool:
    if age is None:
        return True
    low, high = resource.audience.min_age, resource.audience.max_age
    return (low is None or age >= low) and (high is None or age <= high)


def _unique_codes(warnings: list[Warning]) -> list[Warning]:
    seen: set[str] = set()
    unique = []
    for warning in warnings:
        if warning.code not in seen:
            seen.add(warning.code)
            unique.append(warning)
    return unique


def _placeholders(s: Situation) -> Placeholders:
    """Values a rule text may quote: ``{age}``, and deadlines computed from ``first_seen``."""
    values: Placeholders = {"fr": {}, "en": {}}
    locales: tuple[tuple[Lang, str], ...] = (("fr", "fr_FR"), ("en", "en_GB"))
    for lang, locale in locales:
        values[lang]["age"] = str(s.age) if s.age is not None else "?"
        if s.first_seen is not None:
            for key, months in (("deadline_3_months", 3), ("deadline_1_year", 12)):
                deadline = add_months(s.first_seen, months)
                values[lang][key] = format_date(deadline, format="long", locale=locale)
    return values


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, or the last day of that month (31 Jan + 1 month → 28/29 Feb).

    Prescription periods "in months" run from date to date (Cass. crim. practice for
    loi 1881 art. 65: three months from the first publication).
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
