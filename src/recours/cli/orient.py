"""``recours orient``: where to turn first, from the questions or from an answers file."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.prompt import Prompt

from recours.cli.context import STATE, print_json
from recours.cli.options import AtOption, JsonOption, at_instant
from recours.cli.text import _
from recours.domain.orientation import Orientation
from recours.domain.questionnaire import (
    NO,
    UNKNOWN,
    YES,
    Question,
    Questionnaire,
    situation_from_answers,
    step_problems,
)
from recours.domain.situation import Situation
from recours.errors import BadInput
from recours.services import orientation as svc
from recours.services.labels import state_label


def orient(
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", metavar=_("FICHIER"), help=_("Fichier JSON des réponses (pas de questions).")
        ),
    ] = None,
    as_json: JsonOption = False,
    at: AtOption = None,
) -> None:
    """Vous dit vers qui vous tourner, en commençant par l’urgence."""
    knowledge = STATE.knowledge()
    instant = at_instant(at)
    if answers is not None:
        situation = svc.situation_from_json(_read(answers))
    elif sys.stdin.isatty():
        situation = ask(knowledge.questionnaire)
    else:
        raise BadInput(
            "Pas de terminal pour poser les questions. Donnez vos réponses avec --answers FICHIER.",
            "No terminal to ask the questions. Give your answers with --answers FILE.",
        )
    result = svc.run(situation, knowledge.rules, knowledge.directory, instant)
    if as_json:
        print_json(svc.orientation_json(result, STATE.lang))
    else:
        show(result, instant)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(
            f"Impossible de lire le fichier de réponses « {path} » : {exc.strerror}.",
            f"Cannot read the answers file “{path}”: {exc.strerror}.",
        ) from None


def ask(questionnaire: Questionnaire) -> Situation:
    """Ask the questions one step at a time, re-asking until each answer can be used."""
    lang, t, out = STATE.lang, STATE._, STATE.out
    out.print(t("Répondez aux questions. Entrée sans rien taper = « je ne sais pas »."), markup=False)
    out.print(t("En danger maintenant ? Appelez le 17 ou le 112, ou envoyez un SMS au 114."), markup=False)
    raw: dict[str, list[str]] = {}
    for number, step in enumerate(questionnaire.steps, start=1):
        out.print(
            f"\n[bold]{number}/{len(questionnaire.steps)} — {step.title.get(lang)}[/bold]",
            markup=True,
        )
        if step.intro:
            out.print(step.intro.get(lang), markup=False)
        for question in step.questions:
            while True:
                raw[question.field] = _ask_one(questionnaire, question)
                problems = step_problems(step, raw, lang)
                if question.field not in problems:
                    break
                out.print("[red]" + problems[question.field] + "[/red]", markup=True)
    return situation_from_answers(questionnaire, raw)


def _ask_one(questionnaire: Questionnaire, question: Question) -> list[str]:
    lang, t, out = STATE.lang, STATE._, STATE.out
    out.print(f"\n{question.label.get(lang)}", markup=False)
    if question.hint:
        out.print(f"[dim]{question.hint.get(lang)}[/dim]", markup=True)
    if question.kind == "yes_no":
        keys = {t("o"): YES, t("n"): NO, "?": UNKNOWN, "": UNKNOWN}
        reply = Prompt.ask(t("o = oui, n = non, ? = je ne sais pas"), default="", show_default=False)
        return [keys.get(reply.strip().lower(), reply)]
    if question.kind in ("choice", "multi"):
        for index, option in enumerate(question.options, start=1):
            out.print(f"  {index}. {option.label.get(lang)}", markup=False)
        prompt = t("Numéros séparés par des virgules") if question.kind == "multi" else t("Numéro")
        reply = Prompt.ask(prompt, default="", show_default=False)
        picked = []
        for part in reply.replace(" ", ",").split(","):
            if part.isdigit() and 1 <= int(part) <= len(question.options):
                picked.append(question.options[int(part) - 1].value)
            elif part:
                picked.append(part)
        return picked
    return [Prompt.ask(t("Réponse"), default="", show_default=False)]


def show(result: Orientation, instant: datetime) -> None:
    lang, t, out = STATE.lang, STATE._, STATE.out
    if result.urgent:
        out.print("\n[bold red]" + t("URGENT — à faire maintenant") + "[/bold red]", markup=True)
        for contact in result.urgent:
            out.print(
                f"[bold]{contact.resource.short_name.get(lang)}[/bold] — {contact.channel.label.get(lang)}",
                markup=True,
            )
            out.print("  " + contact.why.get(lang), markup=False)
    out.print("\n[bold]" + t("Vers qui vous tourner") + "[/bold]", markup=True)
    for rec in result.recommendations:
        out.print(f"\n[bold]{rec.rank}. {rec.resource.name.get(lang)}[/bold]", markup=True)
        if rec.resource.hours:
            out.print("  " + state_label(rec.state, instant, lang), markup=False)
        for why in rec.why:
            out.print("  " + why.get(lang), markup=False)
        out.print("  → " + rec.what_to_do.get(lang), markup=False)
        for channel in rec.channels:
            out.print(f"    • {channel.channel.label.get(lang)} : {channel.channel.value}", markup=False)
    if result.warnings:
        out.print("\n[bold]" + t("Attention") + "[/bold]", markup=True)
        for warning in result.warnings:
            out.print("  ! " + warning.text.get(lang), markup=False)
    if result.next_steps:
        out.print("\n[bold]" + t("Et ensuite") + "[/bold]", markup=True)
        for step in result.next_steps:
            out.print("  • " + step.get(lang), markup=False)
