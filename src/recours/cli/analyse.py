"""``recours analyse`` (what the imported chats show) and ``recours highlight`` (mark a message
for the dossier)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from recours.adapters import signal_pack
from recours.adapters.charts import analysis_charts
from recours.adapters.clock import now
from recours.cli.context import STATE, print_json
from recours.cli.options import JsonOption, parse_day
from recours.cli.text import _
from recours.cli.vault import PassFileOption, VaultOption, opened
from recours.domain.chat.analysis import Analysis, Filters, RaidRule
from recours.domain.signals import SignalPack
from recours.errors import BadInput
from recours.services import analysis as analysis_svc

# Signals printed in the terminal unless --limit says otherwise (--json always has them all).
SHOWN_SIGNALS = 30


def analyse(
    chat: Annotated[
        str | None,
        typer.Option("--chat", metavar=_("ÉLÉMENT"), help=_("N’analyser que cette discussion importée.")),
    ] = None,
    list_chats: Annotated[
        bool, typer.Option("--list", help=_("Liste les discussions importées, puis s’arrête."))
    ] = False,
    me: Annotated[
        str | None,
        typer.Option("--me", metavar=_("NOM"), help=_("Votre nom tel qu’il apparaît dans la discussion.")),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option("--author", metavar=_("NOM"), help=_("Ne garder que les messages de cette personne.")),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar=_("AAAA-MM-JJ"), help=_("À partir de ce jour."))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar=_("AAAA-MM-JJ"), help=_("Jusqu’à ce jour inclus."))
    ] = None,
    signal: Annotated[
        str | None,
        typer.Option(
            "--signal",
            metavar=_("CATÉGORIE"),
            help=_(
                "Ne garder que ce type de signal : insult, threat, death_threat, suicide_incitement, "
                "sexual_harassment, image_threat, doxxing, hate_sexist, hate_racist, hate_lgbtphobic, "
                "hate_ableist, hate_religious, exclusion."
            ),
        ),
    ] = None,
    raid_hours: Annotated[
        int,
        typer.Option(
            "--raid-window",
            metavar=_("HEURES"),
            show_default=False,
            help=_("Fenêtre d’un acharnement collectif (défaut 24 h)."),
        ),
    ] = 24,
    raid_authors: Annotated[
        int,
        typer.Option(
            "--raid-authors",
            metavar="N",
            show_default=False,
            help=_("Nombre de personnes pour parler d’acharnement collectif (défaut 2)."),
        ),
    ] = 2,
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts",
            metavar=_("DOSSIER"),
            help=_("Écrit les graphiques (days.svg, hours.svg) dans ce dossier."),
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", metavar="N", help=_("Nombre de messages à vérifier affichés (0 : tous).")),
    ] = SHOWN_SIGNALS,
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    pack = signal_pack.load_signal_pack()
    filters = Filters(author, parse_day(since), parse_day(until), _category(signal, list(pack.categories)))
    if raid_hours < 1 or raid_authors < 2:
        raise BadInput(
            "--raid-window vaut au moins 1 (heure) et --raid-authors au moins 2 (personnes).",
            "--raid-window is at least 1 (hour) and --raid-authors at least 2 (people).",
        )
    rule = RaidRule(window=timedelta(hours=raid_hours), min_authors=raid_authors)
    scanner = None if list_chats else signal_pack.ScannerAhead()  # built while the vault opens
    with opened(vault, passphrase_file) as store:
        if scanner is None:
            _print_chats(analysis_svc.chats(store), as_json)
            return
        result = analysis_svc.run(store, scanner.get(), chat=chat, me=me, filters=filters, raid_rule=rule)
    if charts is not None:
        _write_charts(result, charts)
    if as_json:
        print_json(result.as_json())
        return
    _print_analysis(result, pack, limit)


def highlight(
    ref: Annotated[str, typer.Argument(metavar=_("MESSAGE"), help=_("Le message, comme ÉLÉMENT#NUMÉRO."))],
    note: Annotated[
        str, typer.Option("--note", metavar=_("TEXTE"), help=_("Pourquoi ce message compte."))
    ] = "",
    remove: Annotated[bool, typer.Option("--remove", help=_("Retire la marque."))] = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    with opened(vault, passphrase_file) as store:
        analysis_svc.set_highlight(store, ref, now(), None if remove else note)
    message = _("Marque retirée : {ref}") if remove else _("Message marqué pour le dossier : {ref}")
    STATE.out.print(STATE._(message).format(ref=ref), markup=False)


def _category(name: str | None, known: list[str]) -> str | None:
    if name is not None and name not in known:
        raise BadInput(
            f"Type de signal inconnu : « {name} ». Types : {', '.join(known)}.",
            f"Unknown signal type: “{name}”. Types: {', '.join(known)}.",
        )
    return name


def _print_chats(chats: list[analysis_svc.ChatImport], as_json: bool) -> None:
    if as_json:
        print_json([c.as_json() for c in chats])
        return
    t = STATE._
    table = Table(title=t("Discussions importées ({n})").format(n=len(chats)))
    for column in (t("Élément"), t("Fichier"), t("Format"), t("Importé le"), t("Entrées")):
        table.add_column(column)
    for c in chats:
        table.add_row(c.item_id, c.name, c.format, c.at, str(c.entries))
    STATE.out.print(table)


def _print_analysis(result: Analysis, pack: SignalPack, limit: int) -> None:
    t, out = STATE._, STATE.out
    out.print(
        t("{n} messages, du {first} au {last}.").format(
            n=result.messages, first=(result.first or "—")[:10], last=(result.last or "—")[:10]
        ),
        markup=False,
    )
    out.print(
        t("Ce sont des pistes à vérifier, pas un jugement : relisez chaque message dans son contexte."),
        markup=False,
    )
    table = Table(title=t("Par personne"))
    for column in (
        t("Personne"),
        t("Messages"),
        t("Jours actifs"),
        t("À vérifier"),
        t("Premier"),
        t("Dernier"),
    ):
        table.add_column(column)
    for a in result.authors:
        table.add_row(
            a.author, str(a.messages), str(a.active_days), str(a.hostile), a.first[:16], a.last[:16]
        )
    out.print(table)
    repeated = [r for r in result.repetition if r.repeated]
    if repeated:
        table = Table(title=t("Répétition : messages à vérifier sur plusieurs jours"))
        for column in (t("Personne"), t("Messages"), t("Jours"), t("Dates")):
            table.add_column(column)
        for r in repeated:
            table.add_row(r.author, str(r.hostile), str(len(r.days)), ", ".join(r.days))
        out.print(table)
    if result.raids:
        table = Table(title=t("Acharnement collectif possible (plusieurs personnes, même cible)"))
        for column in (t("Cible"), t("Du"), t("Au"), t("Personnes"), t("Messages")):
            table.add_column(column)
        for raid in result.raids:
            table.add_row(
                raid.target or t("(sans cible nommée)"),
                raid.start[:16],
                raid.end[:16],
                ", ".join(raid.authors),
                str(len(raid.refs)),
            )
        out.print(table)
    shown = result.signals if limit == 0 else result.signals[:limit]
    labels: dict[str, str] = {name: info.label.get(STATE.lang) for name, info in pack.categories.items()}
    out.print(t("Messages à vérifier : {n}").format(n=len(result.signals)), markup=False)
    for s in shown:
        main = s.main_hit
        label = labels.get(main.category, main.category)
        quoted = "" if s.hostile else " " + t("(cité, pas écrit par la personne)")
        out.print(f"[{s.ref}] {s.timestamp[:16]} {s.author or '—'} — {label}{quoted}", markup=False)
        out.print(f"    {s.text}", markup=False)
    if len(shown) < len(result.signals):
        out.print(
            t("… et {n} autres : --limit 0 pour tout voir, ou --json.").format(
                n=len(result.signals) - len(shown)
            ),
            markup=False,
        )


def _write_charts(result: Analysis, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, svg in analysis_charts(result.days, result.hours, STATE._).items():
            (folder / f"{name}.svg").write_bytes(svg)
    except OSError as exc:
        raise BadInput(
            f"Impossible d’écrire les graphiques dans {folder} : {exc.strerror}",
            f"Cannot write the charts into {folder}: {exc.strerror}",
        ) from None
