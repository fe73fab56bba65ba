"""``recours contact`` (an organisation the person turned to), ``recours dossier`` (the PDF and
the verifiable bundle) and ``recours verify-bundle``. Letters: cli/letters.py."""

from __future__ import annotations

import getpass
import hashlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from recours.adapters import signal_pack
from recours.adapters.bundle_files import (
    PassphraseRecipient,
    Recipient,
    X25519Recipient,
    save_bundle,
    save_file,
)
from recours.adapters.clock import now
from recours.adapters.law_data import load_law
from recours.cli.context import STATE, print_json
from recours.cli.options import JsonOption, parse_day
from recours.cli.text import _
from recours.cli.vault import PassFileOption, VaultOption, opened
from recours.domain.dossier import Selection
from recours.errors import BadInput
from recours.services import dossier as dossier_svc
from recours.settings import Settings
from recours.verify_bundle import main as verify_bundle_main
from recours.web.printing import DossierPdf, chronology_label


def contact(
    organisation: Annotated[
        str, typer.Argument(metavar=_("ORGANISME"), help=_("L’organisme contacté (3018, Pharos, police…)."))
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar=_("AAAA-MM-JJ"), help=_("Date du contact (défaut : aujourd’hui).")),
    ] = None,
    reference: Annotated[
        str,
        typer.Option(
            "--ref", metavar=_("RÉFÉRENCE"), help=_("Numéro de signalement, de plainte, de dossier.")
        ),
    ] = "",
    note: Annotated[
        str, typer.Option("--note", metavar=_("TEXTE"), help=_("Ce qui a été dit ou fait."))
    ] = "",
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    moment = now()
    day = parse_day(on) or moment.date()
    with opened(vault, passphrase_file) as store:
        found = dossier_svc.add_contact(
            store, moment, organisation=organisation, on=day, reference=reference, note=note
        )
    if as_json:
        print_json(found.__dict__)
        return
    STATE.out.print(STATE._("Contact noté : {organisation}, le {on}.").format(**found.__dict__))


def dossier(
    out: Annotated[
        Path,
        typer.Option("--out", metavar=_("DOSSIER"), help=_("Dossier où écrire dossier.pdf et le lot ZIP.")),
    ],
    since: Annotated[
        str | None, typer.Option("--from", metavar=_("AAAA-MM-JJ"), help=_("Faits à partir de ce jour."))
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar=_("AAAA-MM-JJ"), help=_("Faits jusqu’à ce jour inclus."))
    ] = None,
    items: Annotated[
        str | None,
        typer.Option(
            "--items",
            metavar="ID,ID…",
            help=_("Seulement ces éléments (identifiants séparés par des virgules)."),
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag", metavar=_("ÉTIQUETTE"), help=_("Seulement les éléments qui ont cette étiquette.")
        ),
    ] = None,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact",
            help=_(
                "Masque les noms des tiers ; copies des photos sans lieu ni appareil ; les originaux restent intacts."
            ),
        ),
    ] = False,
    person: Annotated[
        str,
        typer.Option(
            "--name", metavar=_("NOM"), help=_("Le nom de la personne concernée, pour la couverture.")
        ),
    ] = "",
    recipient: Annotated[
        str | None,
        typer.Option("--encrypt-to", metavar="age1…", help=_("Chiffre le lot pour cette clé publique age.")),
    ] = None,
    encrypt_passphrase: Annotated[
        bool,
        typer.Option(
            "--encrypt-passphrase",
            help=_(
                "Chiffre le lot avec une phrase de passe (lue dans RECOURS_BUNDLE_PASSPHRASE ou demandée)."
            ),
        ),
    ] = False,
    custody_log: Annotated[
        bool | None,
        typer.Option(
            "--custody-log/--no-custody-log",
            help=_(
                "Joindre le journal complet du coffre (par défaut : seulement pour un dossier de tout le "
                "coffre, non caviardé, car il nomme toutes les preuves)."
            ),
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Remplace des fichiers existants."))] = False,
    as_json: JsonOption = False,
    vault: VaultOption = None,
    passphrase_file: PassFileOption = None,
) -> None:
    selection = Selection(
        since=parse_day(since),
        until=parse_day(until),
        items=frozenset(i.strip().lower() for i in (items or "").split(",") if i.strip()),
        tag=tag,
    )
    if selection.since and selection.until and selection.since > selection.until:
        raise BadInput("--from est après --to.", "--from is after --to.")
    if recipient is not None and encrypt_passphrase:
        raise BadInput(
            "Choisissez --encrypt-to ou --encrypt-passphrase, pas les deux.",
            "Choose --encrypt-to or --encrypt-passphrase, not both.",
        )
    age_recipient = _recipient(recipient, encrypt_passphrase)
    encrypted = age_recipient is not None
    pdf_path = out / dossier_svc.PDF_NAME
    bundle_path = out / (BUNDLE_NAME + (".age" if encrypted else ""))
    # Encrypted: the PDF is only inside the encrypted bundle, never in clear beside it.
    targets = [bundle_path] if encrypted else [pdf_path, bundle_path]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise BadInput(
            "Ces fichiers existent déjà : " + ", ".join(existing) + ". Ajoutez --force pour les remplacer.",
            "These files already exist: " + ", ".join(existing) + ". Add --force to replace them.",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise BadInput(f"Impossible de créer le dossier {out}.", f"Cannot create the folder {out}.") from None
    scanner = signal_pack.ScannerAhead()  # built while the law loads and the vault opens
    law = load_law()
    request = dossier_svc.DossierRequest(
        selection=selection, redact=redact, person=person, lang=STATE.lang, custody_log=custody_log
    )
    with opened(vault, passphrase_file) as store, _steps() as step:
        built = dossier_svc.build(
            store,
            request,
            now(),
            scanner.get(),
            chronology_label(STATE.lang),
            law,
            DossierPdf(law),
            step,
        )
        manifest = save_bundle(
            bundle_path,
            built.members,
            vault_id=built.dossier.vault_id,
            generated_at=built.generated_at,
            custody=built.dossier.head,
            recipient=age_recipient,
        )
        if not encrypted:
            save_file(pdf_path, built.pdf)
        dossier_svc.record_export(store, built, manifest, now())
    summary = {
        "pdf": None if encrypted else str(pdf_path),
        "bundle": str(bundle_path),
        "encrypted": encrypted,
        "items": len(built.dossier.items),
        "withheld": sum(i.withheld for i in built.dossier.items),
        "files": len(manifest.files),
        "custody_log": built.dossier.custody_log_included,
        "manifest_sha256": hashlib.sha256(manifest.canonical()).hexdigest(),
    }
    if as_json:
        print_json(summary)
        return
    t = STATE._
    if not encrypted:
        STATE.out.print(t("Dossier PDF : {path}").format(path=pdf_path))
    STATE.out.print(
        t("Lot vérifiable : {path} ({files} fichiers)").format(path=bundle_path, files=len(manifest.files))
    )
    if summary["withheld"]:
        STATE.out.print(
            t("{n} élément(s) non inclus dans la version caviardée (ils peuvent nommer des tiers).").format(
                n=summary["withheld"]
            )
        )
    STATE.out.print(t("Vérification : recours verify-bundle {path}").format(path=bundle_path))


def verify_bundle(
    bundle: Annotated[Path, typer.Argument(metavar=_("LOT.zip"), help=_("Le lot à vérifier."))],
    receipt: Annotated[
        Path | None,
        typer.Option("--receipt", metavar=_("FICHIER"), help=_("Le reçu du journal gardé hors du coffre.")),
    ] = None,
) -> None:
    arguments = [str(bundle), "--lang", STATE.lang]
    if receipt is not None:
        arguments += ["--receipt", str(receipt)]
    code = verify_bundle_main(arguments)
    if code:
        raise typer.Exit(code)


BUNDLE_NAME = "recours-lot.zip"


def _recipient(public_key: str | None, passphrase: bool) -> Recipient | None:
    if public_key is not None:
        return X25519Recipient.parse(public_key)
    if not passphrase:
        return None
    setting = Settings().bundle_passphrase
    secret = setting.get_secret_value() if setting is not None else None
    if secret is None and sys.stdin.isatty():
        secret = getpass.getpass(STATE._("Phrase de passe pour chiffrer le lot : "))
        if secret != getpass.getpass(STATE._("La même, encore une fois : ")):
            raise BadInput("Les deux phrases diffèrent.", "The two passphrases differ.")
    if not secret or len(secret) < MIN_BUNDLE_PASSPHRASE:
        raise BadInput(
            f"Une phrase de passe d’au moins {MIN_BUNDLE_PASSPHRASE} caractères est nécessaire "
            "(RECOURS_BUNDLE_PASSPHRASE ou la saisie).",
            f"A passphrase of at least {MIN_BUNDLE_PASSPHRASE} characters is needed "
            "(RECOURS_BUNDLE_PASSPHRASE or typed).",
        )
    return PassphraseRecipient(secret)


MIN_BUNDLE_PASSPHRASE = 12


@contextmanager
def _steps() -> Iterator[Callable[[dossier_svc.DossierStep], None]]:
    """The steps on stderr, as a spinner: a dossier of a thousand items takes a while."""
    t = STATE._
    labels = {
        "gather": t("Rassemblement des preuves…"),
        "analyse": t("Analyse des discussions…"),
        "render": t("Mise en page du PDF…"),
        "bundle": t("Écriture du lot…"),
    }
    with STATE.err.status(labels["gather"]) as status:
        yield lambda step: status.update(labels[step])
