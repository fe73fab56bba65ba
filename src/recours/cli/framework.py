"""What the command-line framework itself writes, in the user's language.

Typer (with its own copy of click) writes the frame of every help page and every usage error in
English: "Usage:", "Show this message and exit.", "[default: 24]", "No such option: --x",
"Input should be a valid integer…". Recours speaks French first (ARCHITECTURE.md, conventions),
so the help pages are laid out by :class:`LocalisedHelpFormatter` and the usage errors are told
again by :func:`usage_problem`, from what each error carries (its kind, its option, its
parameter) rather than from its English text wherever the error carries it.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Sequence
from difflib import get_close_matches

import typer
from typer._click import exceptions as click_errors
from typer._click.core import Command, Parameter
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from recours.cli.text import _
from recours.errors import BadInput

# Section names typer gives the formatter, and the heading each becomes (with French spacing
# before the colon).
_HEADINGS = {
    "Usage": _("Utilisation :"),
    "Options": _("Options :"),
    "Arguments": _("Arguments :"),
    "Commands": _("Commandes :"),
}
_HELP_OPTION = "Show this message and exit."
# Typer shows each parameter's Python type after its name ("ID <str>", "FICHIER… <list[Path]>");
# the metavars already say what to type, in the user's language.
_TYPE_SHOWN = re.compile(r" <[^<>]*>(?:\.\.\.)?$")
_DEFAULT_SHOWN = re.compile(r"\[default: (?P<value>[^\]]*)\]")


class LocalisedHelpFormatter(HelpFormatter):
    """click's formatter, with the frame of the page in the language of the help texts."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _HEADINGS["Usage"] + " " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading + ':')}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """Names and what they do, in two columns, as click lays them out, but never cutting a
        word at its hyphen: "cnil-complaint" is a value to type, whole."""
        rows = [(_TYPE_SHOWN.sub("", term), _described(text)) for term, text in rows]
        name_width = min(max((len(term) for term, _ in rows), default=0), col_max)
        indent = " " * self.current_indent
        lead = indent + " " * (name_width + col_spacing)
        wrapper = textwrap.TextWrapper(
            max(self.width - len(lead), 20), break_on_hyphens=False, break_long_words=False
        )
        for term, text in rows:
            lines = wrapper.wrap(text)
            if len(term) <= name_width:
                first = f"{indent}{term:<{name_width + col_spacing}}{lines.pop(0) if lines else ''}"
                self.write(first.rstrip() + "\n")
            else:  # a long name: what it does starts on the next line
                self.write(f"{indent}{term}\n")
            for line in lines:
                self.write(f"{lead}{line}\n")


def _described(text: str) -> str:
    if text == _HELP_OPTION:
        return _("Affiche cette aide.")
    text = _DEFAULT_SHOWN.sub(lambda found: _("[défaut : {value}]").format(value=found["value"]), text)
    return _UNBREAKABLE_SPACE.sub("\u00a0", text.replace("[required]", _("[obligatoire]")))


# French puts a space inside guillemets and before : ; ! ? — a line must not break there.
_UNBREAKABLE_SPACE = re.compile(r"(?<=«) | (?=[»:;!?])")


class LocalisedContext(typer.Context):
    formatter_class = LocalisedHelpFormatter


def localise(command: Command) -> Command:
    """``command`` and all its subcommands, laying out their help with the localised formatter."""
    command.context_class = LocalisedContext
    if command.options_metavar:
        command.options_metavar = _("[OPTIONS]")
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = _("COMMANDE [ARGUMENTS]…")
        for subcommand in command.commands.values():
            localise(subcommand)
            # Listed whole, on as many lines as it takes: click would cut it at 45 characters
            # or so, with "...", and French sentences are long.
            if subcommand.short_help is None and subcommand.help:
                subcommand.short_help = subcommand.help.split("\n\n")[0]
    return command


def command_path(root: Command, args: Sequence[str]) -> str:
    """The command that ``args`` name ("recours vault init"), as far as they name one: the help
    to point to after a usage error (typer does not always say where it happened)."""
    path, command = ["recours"], root
    for arg in args:
        if not isinstance(command, TyperGroup):
            break
        if arg in command.commands:
            path.append(arg)
            command = command.commands[arg]
    return " ".join(path)


def usage_problem(error: click_errors.ClickException) -> BadInput:
    """A usage error typer raised, as a message in French and English."""
    detail = _usage_detail(error)
    if detail is None:  # one typer may add later: its English text, in a French frame
        english = error.format_message()
        detail = (f"Commande ou option non valable : {english}", f"Invalid command or option: {english}")
    return BadInput(*detail)


def _usage_detail(error: click_errors.ClickException) -> tuple[str, str] | None:
    if not isinstance(error, click_errors.UsageError):
        return None
    if isinstance(error, click_errors.NoSuchOption):
        return _unknown_option(error.option_name, error.possibilities or ())
    if isinstance(error, click_errors.BadOptionUsage):
        if "does not take a value" in error.message:
            return (
                f"L’option {error.option_name} ne prend pas de valeur.",
                f"The option {error.option_name} takes no value.",
            )
        return (
            f"L’option {error.option_name} attend une valeur.",
            f"The option {error.option_name} needs a value.",
        )
    if isinstance(error, click_errors.MissingParameter) and error.param is not None:
        name = _parameter_name(error.param)
        if error.param.param_type_name == "argument":
            return f"Il manque l’argument {name}.", f"The argument {name} is missing."
        return f"Il manque l’option {name}.", f"The option {name} is missing."
    if isinstance(error, click_errors.BadParameter) and error.param is not None:
        return _bad_value(error.param, error.message)
    return _unknown_command(error) or _extra_arguments(error.message)


def _unknown_option(name: str, possibilities: Sequence[str]) -> tuple[str, str]:
    fr, en = f"Option inconnue : {name}.", f"Unknown option: {name}."
    if possibilities:
        listed = ", ".join(sorted(possibilities))
        fr, en = f"{fr} Vouliez-vous dire {listed} ?", f"{en} Did you mean {listed}?"
    return fr, en


def _parameter_name(param: Parameter) -> str:
    if param.param_type_name == "option" and param.opts:
        return max(param.opts, key=len)  # --limit rather than -l
    return param.metavar or (param.name or "").upper()


# What a value of these types must look like, in both languages (the types of Recours's options).
_EXPECTED: dict[type, tuple[str, str]] = {
    int: ("un nombre entier", "a whole number"),
    float: ("un nombre", "a number"),
}


def _bad_value(param: Parameter, message: str) -> tuple[str, str]:
    name = _parameter_name(param)
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    expected = _EXPECTED.get(annotation) if isinstance(annotation, type) else None
    if expected is None:  # typer's own checks (a path that does not exist…): its English words
        return f"Valeur non valable pour {name} : {message}", f"Invalid value for {name}: {message}"
    return f"{name} attend {expected[0]}.", f"{name} expects {expected[1]}."


_NO_SUCH_COMMAND = re.compile(r"No such command (?P<name>'[^\n]*'|\"[^\n]*\")\.")


def _unknown_command(error: click_errors.UsageError) -> tuple[str, str] | None:
    found = _NO_SUCH_COMMAND.match(error.message)
    if found is None:
        return None
    name = ast.literal_eval(found["name"])  # typer writes the name with repr()
    fr, en = f"Commande inconnue : {name}.", f"Unknown command: {name}."
    group = error.ctx.command if error.ctx is not None else None
    close = get_close_matches(name, list(group.commands)) if isinstance(group, TyperGroup) else []
    if close:
        listed = ", ".join(close)
        fr, en = f"{fr} Vouliez-vous dire {listed} ?", f"{en} Did you mean {listed}?"
    return fr, en


_EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra arguments? ?(?:\(s\))? \((?P<extra>.*)\)$", re.DOTALL)


def _extra_arguments(message: str) -> tuple[str, str] | None:
    found = _EXTRA_ARGUMENTS.match(message)
    if found is None:
        return None
    return f"Arguments en trop : {found['extra']}.", f"Unexpected arguments: {found['extra']}."
