"""``recours contact`` (an organisation the person turned to), ``recours dossier`` (the PDF and
the verifiable bundle), ``recours draft`` (a letter) and ``recours verify-bundle``."""

from __future__ import annotations

from typing import Annotated

import typer

from recours.adapters.clock import now
from recours.cli.context import STATE, print_json
from recours.cli.options import JsonOption, parse_day
from recours.cli.text import _
from recours.cli.vault import PassFileOption, VaultOption, opened
from recours.errors import BadInput
from recours.services import dossier as dossier_svc


def contact(
    organisation: Annotated[
        str, typer.Argument(metavar="ORGANISME", help=_("L’organisme contacté (3018, Pharos, police…)."))
    ],
    on: Annotated[
        str | None, typer.Option("--on", metavar="AAAA-MM-JJ", help=_("Date du contact (défaut : aujourd’hui)."))
    ] = None,
    reference: Annotated[
        str, typer.Option("--ref", metavar="RÉFÉRENCE", help=_("Numéro de signalement, de plainte, de dossier."))
    ] = "",
    note: Annotated[str, typer.Option("--note", help=_("Ce qui a été dit ou fait."))] = "",
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


def require(condition: bool, fr: str, en: str) -> None:
    if not condition:
        raise BadInput(fr, en)
