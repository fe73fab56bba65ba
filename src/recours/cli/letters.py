"""``recours draft``: a letter filled from the vault, edited with ``--set``, as .txt, .docx or .pdf."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recours.adapters import signal_pack
from recours.adapters.law_data import load_law
from recours.adapters.letter_files import load_letter_templates
from recours.adapters.storage import Storage
from recours.cli.context import STATE
from recours.cli.options import at_instant
from recours.cli.text import _
from recours.cli.vault import PassFileOption, VaultOption, opened
from recours.domain.common import LANGS
from recours.domain.letters import LetterValues, blanks, fill
from recours.errors import BadInput, StorageFailure
from recours.services import letters as letters_svc
from recours.web.printing import letter_renderer


def draft(
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar=_("TYPE"),
            help=_(
                "Le type de lettre : plainte, pharos, platform-notice, erasure, cnil-complaint, school ou witness."
            ),
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar=_("FICHIER"),
            help=_("Écrit la lettre dans ce fichier (.txt, .docx ou .pdf)."),
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="txt|docx|pdf",
            help=_("Format du fichier (défaut : celui du nom de --out, sinon du texte à l’écran)."),
        ),
    ] = None,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar=_("CHAMP=VALEUR"),
            help=_("Remplit ou corrige un champ (répétable). « recours draft --list » donne les champs."),
        ),
    ] = None,
    letter_lang: Annotated[
        str,
        typer.Option(
            "--letter-lang",
            metavar="fr|en",
            help=_(
                "Langue de la lettre : fr (défaut) ou en, pour la comprendre. Envoyez la version française."
            ),
        ),
    ] = "fr",
    list_kinds: Annotated[
        bool, typer.Option("--list", help=_("Liste les types de lettres et leurs champs, puis s’arrête."))
    ] = False,
    no_vault: Annotated[
        bool, typer.Option("--no-vault", help=_("N’ouvre pas le coffre : la lettre part de zéro."))
    ] = False,
    force: Annotated[bool, typer.Option("--force", help=_("Remplace un fichier existant."))] = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    templates = load_letter_templates()
    if list_kinds:
        _print_kinds()
        return
    if kind is None:
        raise BadInput(
            "Indiquez le type de lettre, par exemple : recours draft plainte. « recours draft --list » les décrit.",
            "Give the kind of letter, for example: recours draft plainte. “recours draft --list” describes them.",
        )
    template = letters_svc.template_for(templates, kind)
    lang = next((known for known in LANGS if known == letter_lang.strip().lower()), None)
    if lang is None:
        raise BadInput(
            f"Langue de lettre inconnue « {letter_lang} ». Choisissez fr ou en.",
            f"Unknown letter language “{letter_lang}”. Choose fr or en.",
        )
    fmt_chosen = letters_svc.format_of(out.name if out is not None else None, fmt)
    if out is None and fmt_chosen != "txt":
        raise BadInput(
            "Pour un fichier .docx ou .pdf, indiquez où l’écrire avec --out FICHIER.",
            "For a .docx or .pdf file, say where to write it with --out FILE.",
        )
    edits = letters_svc.parse_assignments(assignments or [])
    if out is not None:
        _check_target(out, force)
    moment = at_instant(None)
    if no_vault:
        values = LetterValues(written_on=moment.date())
    else:
        scanner = signal_pack.ScannerAhead()  # built while the vault opens
        with opened(vault, passphrase_file) as store:
            values = letters_svc.values_from_vault(store, moment, load_law(), scanner.get(), lang)
    values = letters_svc.apply_edits(template, values, edits)
    data = letters_svc.draft(template, values, lang, fmt_chosen, letter_renderer(), moment)
    left = blanks(fill(template, values, lang))
    t = STATE._
    if out is None:
        typer.echo(data.decode("utf-8"), nl=False)
        if left:
            STATE.err.print(t("Passages à compléter avant l’envoi : {n}.").format(n=left), markup=False)
        return
    try:
        # Temporary file beside the target, fsync, rename: never a half-written letter.
        Storage().write_atomic(out, data, out.parent)
    except StorageFailure as failure:
        cause = failure.__cause__
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
        raise BadInput(
            f"Impossible d’écrire {out} ({reason}). Aucun fichier n’a été écrit.",
            f"Cannot write {out} ({reason}). No file was written.",
        ) from None
    STATE.out.print(t("Lettre écrite : {path}").format(path=out), markup=False)
    if left:
        STATE.out.print(
            t("Passages à compléter avant l’envoi : {n}. Ils sont marqués « [à compléter : …] ».").format(
                n=left
            ),
            markup=False,
        )
    advice = fill(template, values, STATE.lang).advice
    if advice:
        STATE.out.print("\n" + t("Avant d’envoyer :"), markup=False)
        for line in advice:
            STATE.out.print(f"  - {line}", markup=False)


def _check_target(out: Path, force: bool) -> None:
    if out.is_dir():
        raise BadInput(
            f"{out} est un dossier : donnez un nom de fichier, par exemple {out / 'lettre.pdf'}.",
            f"{out} is a folder: give a file name, for example {out / 'lettre.pdf'}.",
        )
    if not out.parent.is_dir():
        raise BadInput(f"Le dossier {out.parent} n’existe pas.", f"The folder {out.parent} does not exist.")
    if out.exists() and not force:
        raise BadInput(
            f"Le fichier {out} existe déjà. Ajoutez --force pour le remplacer.",
            f"The file {out} already exists. Add --force to replace it.",
        )


def _print_kinds() -> None:
    t = STATE._
    lang = STATE.lang
    out = STATE.out
    for number, template in enumerate(load_letter_templates().templates):
        if number:
            out.print("")
        out.print(f"{template.id} — {template.title.get(lang)}", markup=False)
        out.print(f"  {template.purpose.get(lang)}", markup=False)
        bases = " ; " if lang == "fr" else "; "
        out.print(
            "  "
            + t("Base légale : {bases}").format(
                bases=bases.join(b.reference.get(lang) for b in template.legal_basis)
            ),
            markup=False,
        )
        out.print("  " + t("Champs (--set CHAMP=VALEUR) :"), markup=False)
        for field in letters_svc.fields_of(template):
            hint = f" — {field.hint.get(lang)}" if field.hint is not None else ""
            colon = " : " if lang == "fr" else ": "
            out.print(f"    {field.name}{colon}{field.label.get(lang)}{hint}", markup=False)
