"""``recours resources``: the directory of help organisations, open or closed at an instant."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from recours.cli.context import STATE, print_json
from recours.cli.options import AtOption, JsonOption, at_instant
from recours.cli.text import _
from recours.services import directory as svc
from recours.services.labels import state_label, status_label


def resources(
    resource_id: Annotated[
        str | None, typer.Argument(metavar="ID", help=_("Identifiant d’un organisme (ex. 3018)."))
    ] = None,
    as_json: JsonOption = False,
    at: AtOption = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", metavar=_("MOTS"), help=_("Filtrer par mots (nom, ce qu’il traite).")),
    ] = None,
) -> None:
    """Liste les organismes d’aide, ouverts ou fermés maintenant (ou à --at)."""
    instant = at_instant(at)
    directory = STATE.knowledge().directory
    lang = STATE.lang
    if resource_id is not None:
        item = svc.view(svc.get_resource(directory, resource_id), instant)
        if as_json:
            print_json(svc.resource_json(item, lang))
        else:
            _print_one(item, instant)
        return
    items = svc.list_resources(directory, instant, search or "")
    if as_json:
        print_json([svc.resource_json(i, lang) for i in items])
        return
    _print_table(items, instant)


def _print_table(items: list[svc.ResourceView], instant: datetime) -> None:
    lang, t = STATE.lang, STATE._
    table = Table(title=t("Organismes d’aide"), show_lines=False)
    table.add_column(t("Id"), no_wrap=True)
    table.add_column(t("Organisme"))
    table.add_column(t("Joindre"))
    table.add_column(t("Maintenant"))
    for item in items:
        r = item.resource
        if not r.contactable:
            note = status_label(r.status, lang)
            reach = t("→ voir {id}").format(id=r.superseded_by) if r.superseded_by else t("ne pas contacter")
            table.add_row(r.id, f"{r.short_name.get(lang)} ({note})", reach, "—")
            continue
        reach = ", ".join(c.value for c in r.channels[:2])
        table.add_row(r.id, r.short_name.get(lang), reach, state_label(item.state, instant, lang))
    STATE.out.print(table)


def _print_one(item: svc.ResourceView, instant: datetime) -> None:
    lang, t, out = STATE.lang, STATE._, STATE.out
    r = item.resource
    out.print(f"[bold]{r.name.get(lang)}[/bold]", markup=True)
    if r.status_note:
        out.print(
            f"[bold]{status_label(r.status, lang).capitalize()}[/bold] — " + r.status_note.get(lang),
            markup=True,
        )
    out.print(r.summary.get(lang), markup=False)
    if r.contactable:
        out.print(state_label(item.state, instant, lang), markup=False)
    _section(t("Ce qu’il fait"), [x.get(lang) for x in r.handles])
    _section(t("Ce qu’il ne fait pas"), [x.get(lang) for x in r.does_not_handle])
    _section(
        t("Comment le joindre"),
        [
            f"{c.channel.label.get(lang)} : {c.channel.value}"
            + (f" ({state_label(c.state, instant, lang)})" if c.channel.hours else "")
            for c in item.channels
        ],
    )
    if r.hours:
        _section(t("Horaires"), [r.hours.summary.get(lang)])
    _section(t("Coût et anonymat"), [r.cost.get(lang), r.anonymity.get(lang)])
    _section(t("Ce qu’il peut faire"), [x.get(lang) for x in r.can_do])
    _section(t("Non vérifié"), [x.get(lang) for x in r.unverified])
    _section(
        t("Les sources ne sont pas d’accord"),
        [f"{d.topic.get(lang)} : {d.resolution.get(lang)}" for d in r.disagreements],
    )
    _section(t("Sources"), [f"{s.title} — {s.url} ({s.seen.isoformat()})" for s in r.sources])
    out.print(t("Dernière vérification : {date}").format(date=r.last_checked.isoformat()), markup=False)


def _section(title: str, lines: list[str]) -> None:
    if not lines:
        return
    STATE.out.print(f"\n[bold]{title}[/bold]", markup=True)
    for line in lines:
        STATE.out.print("  • " + line, markup=False)
