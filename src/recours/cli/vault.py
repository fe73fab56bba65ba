"""Vault commands: ``recours vault init|passphrase|panic`` and the evidence commands
(``add``, ``note``, ``url``, ``list``, ``show``, ``export-item``, ``delete``, ``tag``, ``verify``,
``receipt``, ``repair``)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from recours.adapters.clock import now, parse_instant
from recours.adapters.vault_store import LocalVaults
from recours.cli.context import STATE, print_json
from recours.cli.options import JsonOption, parse_day
from recours.cli.text import _
from recours.domain.chat.model import DateOrder
from recours.errors import EXIT_PROBLEM, BadInput, ProblemFound
from recours.services import chat as chat_svc
from recours.services import vault as svc
from recours.services.ports import EvidenceStore
from recours.settings import Settings

# Show a progress bar only when the work may take more than about a second.
PROGRESS_BYTES = 32 * 1024 * 1024

VaultOption = Annotated[
    Path | None,
    typer.Option("--vault", metavar=_("DOSSIER"), help=_("Dossier du coffre (défaut : RECOURS_VAULT).")),
]
PassFileOption = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file", metavar=_("FICHIER"), help=_("Lire la phrase secrète dans ce fichier.")
    ),
]
TagOption = Annotated[
    list[str] | None, typer.Option("--tag", "-t", metavar=_("ÉTIQUETTE"), help=_("Étiquette (répétable)."))
]

vault_app = typer.Typer(help=_("Créer, protéger ou effacer le coffre de preuves."), no_args_is_help=True)


def vaults() -> LocalVaults:
    return LocalVaults()


def vault_path(option: Path | None) -> Path:
    return (option or Settings().vault_path()).expanduser()


def read_secret(passphrase_file: Path | None, prompt: str) -> str:
    """--passphrase-file, then RECOURS_PASSPHRASE, then a hidden prompt in a terminal."""
    if passphrase_file is not None:
        try:
            return passphrase_file.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError):
            raise BadInput(
                f"Impossible de lire la phrase secrète dans {passphrase_file}.",
                f"Cannot read the passphrase from {passphrase_file}.",
            ) from None
    secret = Settings().passphrase
    if secret is not None:
        return secret.get_secret_value()
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise BadInput(
        "Phrase secrète nécessaire : donnez --passphrase-file FICHIER ou la variable RECOURS_PASSPHRASE.",
        "Passphrase needed: give --passphrase-file FILE or the RECOURS_PASSPHRASE variable.",
    )


@contextmanager
def opened(option: Path | None, passphrase_file: Path | None) -> Iterator[EvidenceStore]:
    path = vault_path(option)
    secret = read_secret(passphrase_file, STATE._("Phrase secrète du coffre : "))
    vault = vaults().open(path, secret)
    try:
        yield vault
    finally:
        vault.close()


@contextmanager
def byte_progress(total: int, label: str) -> Iterator[Any]:
    """A progress callback (bytes done); a visible bar only for large work."""
    if total < PROGRESS_BYTES:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=STATE.err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.advance(task, done)


@contextmanager
def import_progress(export: Path) -> Iterator[Callable[[chat_svc.ImportStep], None] | None]:
    """A bar that follows the steps of a large import (reading, checking media, saving)."""
    try:
        large = export.stat().st_size >= PROGRESS_BYTES
    except OSError:
        large = False  # the import itself says why the file cannot be read
    if not large:
        yield None
        return
    t = STATE._
    labels = {
        "parse": t("Lecture des messages…"),
        "check_media": t("Vérification des médias…"),
        "store": t("Chiffrement et enregistrement…"),
    }
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, console=STATE.err, transient=True) as progress:
        task = progress.add_task(labels["parse"], total=len(chat_svc.IMPORT_STEPS))

        def on_step(step: chat_svc.ImportStep) -> None:
            progress.update(task, description=labels[step], completed=chat_svc.IMPORT_STEPS.index(step))

        yield on_step


# -- vault ----------------------------------------------------------------------------------


@vault_app.command("init", help=_("Crée un coffre chiffré protégé par une phrase secrète."))
def init(
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
    minor: Annotated[bool, typer.Option("--minor", help=_("La personne visée est mineure."))] = False,
) -> None:
    """Crée un coffre chiffré protégé par une phrase secrète."""
    path = vault_path(vault)
    t = STATE._
    secret = read_secret(passphrase_file, t("Choisissez une phrase secrète : "))
    interactive = passphrase_file is None and Settings().passphrase is None and sys.stdin.isatty()
    if interactive and getpass.getpass(t("Répétez-la : ")) != secret:
        raise BadInput("Les deux phrases ne sont pas identiques.", "The two passphrases differ.")
    created, recovery = svc.create(vaults(), path, secret, now(), minor=minor)
    created.close()
    out = STATE.out
    out.print(t("Coffre créé : {path}").format(path=path), markup=False)
    out.print(
        "\n" + t("Votre clé de récupération (à noter maintenant, elle ne sera plus jamais affichée) :"),
        markup=False,
    )
    out.print(f"\n    {recovery}\n", markup=False)
    out.print(
        t(
            "Si vous oubliez votre phrase secrète, seule cette clé permet d’ouvrir le coffre. Personne, "
            "pas même les auteurs de Recours, ne peut récupérer le coffre sans l’une des deux. "
            "Gardez-la sur papier, en lieu sûr, loin de l’ordinateur."
        ),
        markup=False,
    )


@vault_app.command("lock", help=_("Verrouille le coffre dans l’application web ouverte."))
def lock(vault: VaultOption = None) -> None:
    # The command line never keeps a vault open; the web app does, until it is locked.
    vaults().request_lock(vault_path(vault))
    STATE.out.print(
        STATE._("Verrouillage demandé : l’application web refermera le coffre à la prochaine action."),
        markup=False,
    )


@vault_app.command("passphrase", help=_("Change la phrase secrète (les données ne sont pas réécrites)."))
def passphrase(
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
    new_passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--new-passphrase-file", metavar=_("FICHIER"), help=_("Lire la nouvelle phrase dans ce fichier.")
        ),
    ] = None,
) -> None:
    """Change la phrase secrète (les données ne sont pas réécrites)."""
    t = STATE._
    old = read_secret(passphrase_file, t("Phrase secrète actuelle : "))
    if new_passphrase_file is not None:
        new = read_secret(new_passphrase_file, "")
    elif sys.stdin.isatty():
        new = getpass.getpass(t("Nouvelle phrase secrète : "))
        if getpass.getpass(t("Répétez-la : ")) != new:
            raise BadInput("Les deux phrases ne sont pas identiques.", "The two passphrases differ.")
    else:
        raise BadInput(
            "Donnez la nouvelle phrase avec --new-passphrase-file FICHIER.",
            "Give the new passphrase with --new-passphrase-file FILE.",
        )
    store = vaults().open(vault_path(vault), old)
    try:
        svc.change_passphrase(store, old, new, now())
    finally:
        store.close()
    STATE.out.print(t("Phrase secrète changée. La clé de récupération reste valable."), markup=False)


@vault_app.command("panic", help=_("Efface tout le coffre, tout de suite et pour toujours."))
def panic(
    vault: VaultOption = None,
    yes: Annotated[bool, typer.Option("--yes", help=_("Ne pas demander de confirmation."))] = False,
) -> None:
    """Efface tout le coffre, tout de suite et pour toujours."""
    t = STATE._
    path = vault_path(vault)
    if not yes:
        if not sys.stdin.isatty():
            raise BadInput(
                "Confirmez avec --yes : l’effacement est définitif.", "Confirm with --yes: erasing is final."
            )
        answer = typer.prompt(t("Tout le coffre sera effacé pour toujours. Tapez EFFACER pour confirmer"))
        if answer.strip().upper() not in ("EFFACER", "ERASE"):
            STATE.out.print(t("Rien n’a été effacé."), markup=False)
            return
    svc.panic(vaults(), path)
    STATE.out.print(t("Le coffre a été effacé. Il ne peut plus être ouvert."), markup=False)


# -- chat exports -----------------------------------------------------------------------------


def import_(
    export: Annotated[Path, typer.Argument(metavar=_("FICHIER"), help=_("L’export de la discussion."))],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help=_(
                "auto, whatsapp, instagram, messenger, telegram, snapchat, discord, signal, sms "
                "ou email (.eml, .mbox)."
            ),
        ),
    ] = "auto",
    tz: Annotated[
        str,
        typer.Option(
            "--tz",
            metavar=_("FUSEAU"),
            show_default=False,
            help=_("Fuseau horaire de l’export (défaut Europe/Paris)."),
        ),
    ] = "Europe/Paris",
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order", metavar="dmy|mdy", help=_("Ordre des dates si le fichier ne le dit pas.")
        ),
    ] = None,
    me: Annotated[
        str | None,
        typer.Option("--me", metavar=_("NOM"), help=_("Votre nom tel qu’il apparaît dans la discussion.")),
    ] = None,
    intimate: Annotated[
        bool, typer.Option("--intimate", help=_("Les médias de l’export contiennent des images intimes."))
    ] = False,
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    if date_order not in (None, "dmy", "mdy"):
        raise BadInput("--date-order vaut dmy ou mdy.", "--date-order is dmy or mdy.")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"Fuseau horaire inconnu : {tz}.", f"Unknown time zone: {tz}.") from None
    with opened(vault, passphrase_file) as store:
        order: DateOrder | None = "dmy" if date_order == "dmy" else "mdy" if date_order == "mdy" else None
        with import_progress(export) as on_step:
            summary = chat_svc.import_export(
                store,
                export,
                now(),
                fmt=fmt,
                tz=tz,
                date_order=order,
                me=me,
                intimate=intimate,
                on_step=on_step,
            )
    if as_json:
        print_json(summary.as_json())
        return
    t = STATE._
    STATE.out.print(
        t(
            "{n} entrées lues ({m} messages, {s} événements), {new} nouvelles, {old} déjà dans le coffre."
        ).format(
            n=summary.entries,
            m=summary.messages,
            s=summary.system_events,
            new=summary.new,
            old=summary.already_present,
        ),
        markup=False,
    )
    STATE.out.print(t("Export gardé dans le coffre : {id}").format(id=summary.item_id), markup=False)
    if summary.media or summary.media_already_present or summary.media_missing:
        STATE.out.print(
            t(
                "Médias : {new} ajoutés au coffre, {old} déjà dans le coffre, {missing} absents de l’archive."
            ).format(new=summary.media, old=summary.media_already_present, missing=summary.media_missing),
            markup=False,
        )


# -- incident journal ---------------------------------------------------------------------

incident_app = typer.Typer(
    help=_("Le journal des incidents : ce qui s’est passé, quand, par qui."), no_args_is_help=True
)


@incident_app.command("add", help=_("Note un incident (date, plateforme, auteur, faits, témoins, preuves)."))
def incident_add(
    what: Annotated[str, typer.Option("--what", metavar=_("TEXTE"), help=_("Ce qui s’est passé."))],
    when: Annotated[
        str | None,
        typer.Option("--when", metavar="DATE", help=_("Date et heure ISO 8601 (défaut : maintenant).")),
    ] = None,
    platform: Annotated[
        str, typer.Option("--platform", metavar=_("PLATEFORME"), help=_("Plateforme (Instagram, Snapchat…)."))
    ] = "",
    author: Annotated[str, typer.Option("--author", metavar=_("PSEUDO"), help=_("Pseudo de l’auteur."))] = "",
    author_url: Annotated[
        str, typer.Option("--author-url", metavar="URL", help=_("Adresse du profil de l’auteur."))
    ] = "",
    witness: Annotated[
        list[str] | None, typer.Option("--witness", metavar=_("TÉMOIN"), help=_("Un témoin (répétable)."))
    ] = None,
    item: Annotated[
        list[str] | None, typer.Option("--item", metavar="ID", help=_("Élément du coffre lié (répétable)."))
    ] = None,
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    occurred = parse_instant(when) if when is not None else now()
    with opened(vault, passphrase_file) as store:
        record = svc.add_incident(
            store,
            now(),
            occurred_at=occurred,
            description=what,
            platform=platform,
            author_handle=author,
            author_url=author_url,
            witnesses=witness or [],
            items=item or [],
        )
    if as_json:
        print_json(record.as_entry())
    else:
        STATE.out.print(f"{record.id}  {record.occurred_at}", markup=False)


@incident_app.command("list", help=_("Liste les incidents dans l’ordre où ils ont eu lieu."))
def incident_list(
    as_json: JsonOption = False, vault: VaultOption = None, passphrase_file: PassFileOption = None
) -> None:
    with opened(vault, passphrase_file) as store:
        records = svc.list_incidents(store)
    if as_json:
        print_json([r.as_entry() for r in records])
        return
    t = STATE._
    table = Table(title=t("Journal des incidents ({n})").format(n=len(records)))
    for column in (t("Id"), t("Quand"), t("Plateforme"), t("Auteur"), t("Ce qui s’est passé")):
        table.add_column(column)
    for r in records:
        table.add_row(r.id, r.occurred_at[:16].replace("T", " "), r.platform, r.author_handle, r.description)
    STATE.out.print(table)


@incident_app.command("show", help=_("Montre un incident en entier."))
def incident_show(
    incident_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    with opened(vault, passphrase_file) as store:
        record = svc.get_incident(store, incident_id)
    if as_json:
        print_json(record.as_entry())
        return
    for key, value in record.as_entry().items():
        if value:
            STATE.out.print(f"{key}: {', '.join(value) if isinstance(value, list) else value}", markup=False)


# -- evidence -------------------------------------------------------------------------------


def add(
    files: Annotated[
        list[Path], typer.Argument(metavar=_("FICHIER…"), help=_("Fichiers à mettre dans le coffre."))
    ],
    note: Annotated[
        str | None, typer.Option("--note", metavar=_("TEXTE"), help=_("Une note jointe aux fichiers."))
    ] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", metavar="ID", help=_("Id de l’incident lié."))
    ] = None,
    tag: TagOption = None,
    intimate: Annotated[bool, typer.Option("--intimate", help=_("Ce sont des images intimes."))] = False,
    minor: Annotated[bool, typer.Option("--minor", help=_("La personne visée est mineure."))] = False,
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Ajoute des fichiers au coffre (chiffrés, avec leur empreinte SHA-256)."""
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise BadInput(
            "Fichier(s) introuvable(s) : " + ", ".join(map(str, missing)),
            "File(s) not found: " + ", ".join(map(str, missing)),
        )
    with opened(vault, passphrase_file) as store:
        svc.refuse_minor_intimate_image(store, intimate=intimate, minor=minor)
        total = sum(f.stat().st_size for f in files)
        added = []
        with byte_progress(total, STATE._("Chiffrement")) as progress:
            for path in files:
                added.append(
                    svc.add_file(
                        store, path, now(), tags=tag or [], note=note, incident=incident, progress=progress
                    )
                )
    if as_json:
        print_json([_item_json(a.record, a.tags) for a in added])
        return
    for item in added:
        STATE.out.print(f"{item.record.id}  {item.record.sha256}  {item.record.name}", markup=False)


def note(
    text: Annotated[str, typer.Argument(metavar=_("TEXTE"), help=_("Le texte de la note."))],
    tag: TagOption = None,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Ajoute une note écrite au coffre."""
    with opened(vault, passphrase_file) as store:
        added = svc.add_note(store, text, now(), tags=tag or [])
    STATE.out.print(f"{added.record.id}  {added.record.sha256}", markup=False)


def url(
    address: Annotated[str, typer.Argument(metavar="URL", help=_("L’adresse à enregistrer."))],
    capture: Annotated[
        bool,
        typer.Option(
            "--capture",
            help=_(
                "Capturer aussi la page (image, archive MHTML, journal HAR). Le site voit une visite depuis votre connexion."
            ),
        ),
    ] = False,
    tag: TagOption = None,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Enregistre une adresse (URL) avec la date et l’heure."""
    with opened(vault, passphrase_file) as store:
        if capture:
            from recours.adapters.capture import capture_page  # Playwright only when capturing

            added = svc.add_capture(store, address, now(), capture_page, tags=tag or [])
        else:
            added = [svc.add_url(store, address, now(), tags=tag or [])]
    for item in added:
        STATE.out.print(f"{item.record.id}  {item.record.sha256}  {item.record.name}", markup=False)


def list_(
    as_json: JsonOption = False,
    search: Annotated[
        str | None, typer.Option("--search", "-s", metavar=_("MOTS"), help=_("Mots à chercher."))
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", metavar=_("ÉTIQUETTE"), help=_("Seulement cette étiquette."))
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar=_("AAAA-MM-JJ"), help=_("Ajoutés depuis ce jour."))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar=_("AAAA-MM-JJ"), help=_("Ajoutés jusqu’à ce jour."))
    ] = None,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Liste les éléments du coffre."""
    for day in (since, until):
        if day is not None:
            parse_day(day)
    with opened(vault, passphrase_file) as store:
        views = svc.list_items(store, text=search or "", tag=tag, since=since, until=until)
    if as_json:
        similar = svc.similar_images(views)
        print_json(
            [
                {**_item_json(v.record, v.item.tags), "near_duplicates": similar.get(v.record.id, [])}
                for v in views
            ]
        )
        return
    t = STATE._
    table = Table(title=t("Coffre de preuves ({n} éléments)").format(n=len(views)))
    for column in (t("Id"), t("Ajouté le"), t("Type"), t("Nom"), t("Taille"), t("Étiquettes")):
        table.add_column(column)
    for view in views:
        r = view.record
        table.add_row(
            r.id, r.added_at[:16].replace("T", " "), r.kind, r.name, str(r.size), ", ".join(view.item.tags)
        )
    STATE.out.print(table)


def show(
    item_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Montre un élément : empreinte, métadonnées, aperçu du texte."""
    with opened(vault, passphrase_file) as store:
        view = svc.get_item(store, item_id)
        preview = svc.read_text_preview(store, view, limit=4000)
    data = {**_item_json(view.record, view.item.tags), "metadata": view.metadata, "preview": preview}
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if value not in (None, {}, []):
            STATE.out.print(f"{key}: {value}", markup=False)


def export_item(
    item_id: Annotated[str, typer.Argument(metavar="ID")],
    out: Annotated[Path, typer.Option("--out", metavar=_("CHEMIN"), help=_("Fichier ou dossier de sortie."))],
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Copie un élément hors du coffre, tel qu’il a été ajouté (déchiffré)."""
    with opened(vault, passphrase_file) as store:
        target = svc.export_item(store, item_id, out)
    STATE.out.print(STATE._("Exporté : {path}").format(path=target), markup=False)


def delete(
    item_id: Annotated[str, typer.Argument(metavar="ID")],
    yes: Annotated[bool, typer.Option("--yes", help=_("Ne pas demander de confirmation."))] = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Efface le contenu d’un élément (la suppression reste notée dans le journal)."""
    if not yes and not (sys.stdin.isatty() and typer.confirm(STATE._("Effacer cet élément pour toujours ?"))):
        raise BadInput(
            "Suppression annulée (confirmez avec --yes).", "Deletion cancelled (confirm with --yes)."
        )
    with opened(vault, passphrase_file) as store:
        svc.delete_item(store, item_id, now())
    STATE.out.print(
        STATE._("Élément effacé. La suppression est notée dans le journal de preuves."), markup=False
    )


def tag(
    item_id: Annotated[str, typer.Argument(metavar="ID")],
    tags: Annotated[
        list[str], typer.Argument(metavar=_("ÉTIQUETTE…"), help=_("Les étiquettes de l’élément."))
    ],
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Remplace les étiquettes d’un élément (plateforme, auteur, type d’abus…)."""
    with opened(vault, passphrase_file) as store:
        clean = svc.set_tags(store, item_id, tags, now())
    STATE.out.print(", ".join(clean), markup=False)


def verify(
    read_data: Annotated[
        bool, typer.Option("--read-data", help=_("Déchiffrer et revérifier chaque élément."))
    ] = False,
    receipt: Annotated[
        Path | None, typer.Option("--receipt", metavar=_("FICHIER"), help=_("Un reçu gardé."))
    ] = None,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    """Vérifie que rien n’a changé (code 0 : intact ; 1 : problème trouvé)."""
    receipt_text = None
    if receipt is not None:
        try:
            receipt_text = receipt.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise BadInput(
                f"Impossible de lire le reçu {receipt}.", f"Cannot read the receipt {receipt}."
            ) from None
    lang, t, out = STATE.lang, STATE._, STATE.out
    with opened(vault, passphrase_file) as store:
        total = sum(store.blob_sizes().values()) if read_data else 0
        with byte_progress(total, t("Vérification")) as progress:
            report = svc.verify(store, read_data=read_data, receipt=receipt_text, progress=progress)
    for notice in report.notices:
        out.print("i " + (notice.en if lang == "en" else notice.fr), markup=False)
    if report.problems:
        for problem in report.problems:
            STATE.err.print("✗ " + (problem.en if lang == "en" else problem.fr), markup=False)
        raise ProblemFound(
            f"{len(report.problems)} problème(s) trouvé(s) : le coffre a été modifié en dehors de Recours.",
            f"{len(report.problems)} problem(s) found: the vault was changed outside Recours.",
        )
    head = report.head
    summary = t("Coffre intact : {n} entrées dans le journal, tête {hash}.").format(
        n=head.count if head else 0, hash=head.hash[:16] if head else ""
    )
    if read_data:
        summary += " " + t("{n} éléments déchiffrés et revérifiés.").format(n=report.items_checked)
    out.print("✓ " + summary, markup=False)


def receipt(vault: VaultOption = None, passphrase_file: PassFileOption = None) -> None:
    """Affiche le reçu du journal de preuves, à garder hors du coffre."""
    with opened(vault, passphrase_file) as store:
        text = svc.receipt(store)
    sys.stdout.write(text)


def repair(vault: VaultOption = None, passphrase_file: PassFileOption = None) -> None:
    """Supprime les restes d’opérations interrompues (jamais un élément)."""
    with opened(vault, passphrase_file) as store:
        removed = svc.repair(store)
    STATE.out.print(STATE._("{n} fichier(s) orphelin(s) supprimé(s).").format(n=removed), markup=False)


def _item_json(record: Any, tags: list[str]) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "sha256": record.sha256,
        "size": record.size,
        "name": record.name,
        "added_at": record.added_at,
        "tags": tags,
        "mime": record.mime,
    }


# The evidence commands, with their help in the user's language.
COMMANDS = (
    ("add", add, _("Ajoute des fichiers au coffre (chiffrés, avec leur empreinte SHA-256).")),
    ("note", note, _("Ajoute une note écrite au coffre.")),
    (
        "import",
        import_,
        _(
            "Importe un export de discussion (WhatsApp, Instagram, Snapchat, Telegram, Discord, Signal, SMS, courriels…)."
        ),
    ),
    ("url", url, _("Enregistre une adresse (URL) avec la date et l’heure.")),
    ("list", list_, _("Liste les éléments du coffre.")),
    ("show", show, _("Montre un élément : empreinte, métadonnées, aperçu du texte.")),
    ("export-item", export_item, _("Copie un élément hors du coffre, tel qu’il a été ajouté (déchiffré).")),
    ("delete", delete, _("Efface le contenu d’un élément (la suppression reste notée dans le journal).")),
    ("tag", tag, _("Remplace les étiquettes d’un élément (plateforme, auteur, type d’abus…).")),
    ("verify", verify, _("Vérifie que rien n’a changé (code 0 : intact ; 1 : problème trouvé).")),
    ("receipt", receipt, _("Affiche le reçu du journal de preuves, à garder hors du coffre.")),
    ("repair", repair, _("Supprime les restes d’opérations interrompues (jamais un élément).")),
)

__all__ = [
    "COMMANDS",
    "EXIT_PROBLEM",
    "add",
    "delete",
    "export_item",
    "list_",
    "note",
    "receipt",
    "repair",
    "show",
    "tag",
    "url",
    "vault_app",
    "verify",
]
