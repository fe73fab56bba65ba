"""Entry point of the ``recours`` command. Errors become a message and an exit code here.

Exit codes: 0 success, 1 a problem was found, 2 could not run or bad input. No traceback
reaches the user (ARCHITECTURE.md, conventions).
"""

from __future__ import annotations

import io
import logging
import sys
from typing import Annotated

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from recours import __version__
from recours.cli import analyse as analyse_cli
from recours.cli import dossier as dossier_cli
from recours.cli import letters as letters_cli
from recours.cli import vault as vault_cli
from recours.cli.context import STATE
from recours.cli.framework import command_path, localise, usage_problem
from recours.cli.orient import orient
from recours.cli.resources import resources
from recours.cli.serve import serve
from recours.cli.text import HELP_LANG, _, initial_lang
from recours.errors import EXIT_CANNOT_RUN, RecoursError
from recours.i18n import parse_lang

log = logging.getLogger("recours")

app = typer.Typer(
    name="recours",
    help=_("Recours : de l’aide face au cyberharcèlement, en France. Tout reste sur votre ordinateur."),
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("resources", help=_("Liste les organismes d’aide, ouverts ou fermés maintenant (ou à --at)."))(
    resources
)
app.command("orient", help=_("Vous dit vers qui vous tourner, en commençant par l’urgence."))(orient)
app.command("serve", help=_("Lance l’application web locale (127.0.0.1)."))(serve)
app.add_typer(vault_cli.vault_app, name="vault")
app.add_typer(vault_cli.incident_app, name="incident")
for name, command, help_text in vault_cli.COMMANDS:
    app.command(name, help=help_text)(command)
app.command(
    "analyse", help=_("Analyse les discussions importées : répétition, acharnement, messages à vérifier.")
)(analyse_cli.analyse)
app.command("highlight", help=_("Marque un message pour le dossier (ou retire la marque)."))(
    analyse_cli.highlight
)
app.command("contact", help=_("Note un organisme contacté (3018, Pharos, police…) et sa référence."))(
    dossier_cli.contact
)
app.command("dossier", help=_("Produit le dossier : un PDF lisible par tous et un lot ZIP vérifiable."))(
    dossier_cli.dossier
)
app.command(
    "verify-bundle", help=_("Vérifie un lot : chaque fichier PASS ou FAIL (code 0 : intact ; 1 : problème).")
)(dossier_cli.verify_bundle)
app.command("draft", help=_("Prépare une lettre remplie avec votre coffre."))(letters_cli.draft)


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="fr|en", help=_("Langue : fr (défaut) ou en."))
    ] = None,
    version: Annotated[bool, typer.Option("--version", help=_("Affiche la version."))] = False,
) -> None:
    if lang is not None and parse_lang(lang) is None:
        raise RecoursError(
            f"Langue inconnue « {lang} ». Choisissez fr ou en.",
            f"Unknown language “{lang}”. Choose fr or en.",
        )
    STATE.lang = parse_lang(lang) or HELP_LANG
    if version:
        typer.echo(f"recours {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; never let a traceback out."""
    command = localise(typer.main.get_command(app))
    args = sys.argv[1:] if argv is None else argv
    # Before parsing: an error in the arguments is told in the language they ask for.
    STATE.lang = initial_lang(args)
    _write_what_utf8_cannot()
    try:
        result = command.main(args=args, prog_name="recours", standalone_mode=False)
    except RecoursError as error:
        _tell(error)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except NoArgsIsHelpError as asked:  # a group of commands alone ("recours vault"): its help
        typer.echo(asked.ctx.get_help() if asked.ctx is not None else "")
        return 0
    except ClickException as usage:
        _tell(usage_problem(usage))
        STATE.err.print(
            STATE._("Tapez « {command} --help » pour l’aide.").format(command=command_path(command, args)),
            markup=False,
        )
        return EXIT_CANNOT_RUN
    except (KeyboardInterrupt, typer.Abort):
        STATE.err.print(STATE._("Interrompu. Rien n’a été modifié."), markup=False)
        return EXIT_CANNOT_RUN
    except Exception:
        # Debug level only: the default handler shows WARNING and above, and a traceback
        # must never reach the user's terminal.
        log.debug("internal error", exc_info=True)
        STATE.err.print(
            STATE._("Erreur interne de Recours. Rien de ce que vous avez enregistré n’est perdu."),
            markup=False,
        )
        return EXIT_CANNOT_RUN
    return result if isinstance(result, int) else 0


def _tell(error: RecoursError) -> None:
    STATE.err.print(error.message(STATE.lang), markup=False)
    for detail in error.details:
        STATE.err.print("  - " + detail, markup=False)


def _write_what_utf8_cannot() -> None:
    """A message may hold a lone surrogate (half an emoji, in some JSON exports), which has no
    UTF-8 form: written as ``\\udXXX`` (in JSON output, the very escape that reads it back)
    instead of failing the whole output."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def entry() -> None:
    sys.exit(run())
