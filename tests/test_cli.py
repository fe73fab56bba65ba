"""The ``recours`` command: output, JSON shapes, languages, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recours.cli.main import run

AT_SATURDAY_NOON = "2026-11-28T12:00:00+01:00"


def recours(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_resources_json_lists_every_entry_with_its_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = recours(capsys, "resources", "--json", "--at", AT_SATURDAY_NOON)
    assert code == 0
    data = json.loads(out)
    by_id = {entry["id"]: entry for entry in data}
    for key in ("id", "name", "status", "superseded_by", "open_now", "next_opening", "channels"):
        assert key in by_id["3018"]
    assert by_id["3018"]["open_now"] is True
    assert by_id["cnil"]["open_now"] is False
    assert by_id["cnil"]["next_opening"] == "2026-11-30T09:30:00+01:00"
    assert by_id["pharos"]["open_now"] is True
    assert by_id["avocat"]["open_now"] is None
    assert by_id["3020"]["status"] == "superseded" and by_id["3020"]["superseded_by"] == "3018"


def test_resources_at_christmas_night(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = recours(capsys, "resources", "3018", "--json", "--at", "2026-12-25T23:30")
    assert code == 0
    entry = json.loads(out)
    assert entry["open_now"] is False
    assert entry["next_opening"] == "2026-12-26T09:00:00+01:00"


def test_one_entry_in_text_shows_the_replacement_of_the_3020(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = recours(capsys, "resources", "3020")
    assert code == 0
    assert "3018" in out and "remplacé" in out.lower()


def test_search_filters_the_directory(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = recours(capsys, "resources", "--json", "--search", "donnees personnelles")
    assert code == 0
    assert "cnil" in [e["id"] for e in json.loads(out)]


def test_english_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = recours(capsys, "--lang", "en", "resources", "3018", "--json")
    assert code == 0
    assert json.loads(out)["summary"].startswith("The national number")


def test_unknown_entry_is_a_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = recours(capsys, "resources", "sos-harcelement-2000")
    assert code == 2
    assert "Aucun organisme" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["demain", "2026-13-01T10:00", ""])
def test_unreadable_dates_are_refused(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, _, err = recours(capsys, "resources", "--at", value)
    assert code == 2
    assert "n’est pas une date" in err


def test_orient_from_an_answers_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"age": 13, "role": "victim", "situations": ["cyberharassment"], "school_related": True}),
        encoding="utf-8",
    )
    code, out, _ = recours(capsys, "orient", "--answers", str(answers), "--json", "--at", AT_SATURDAY_NOON)
    assert code == 0
    result = json.loads(out)
    assert set(result) >= {"urgent", "recommendations", "warnings", "next_steps"}
    assert result["urgent"] == []
    first = result["recommendations"][0]
    assert first["id"] == "3018" and first["rank"] == 1 and first["open_now"] is True
    assert {"id", "rank", "why", "what_to_do", "channels", "open_now", "next_opening"} <= set(first)


def test_orient_text_output_puts_urgency_first(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"immediate_danger": True, "role": "victim", "situations": ["threats"]}))
    code, out, _ = recours(capsys, "orient", "--answers", str(answers))
    assert code == 0
    assert out.index("URGENT") < out.index("Vers qui vous tourner")
    assert "17" in out.split("Vers qui vous tourner")[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "pas du JSON"),
        ('{"role": "victim"}', "incomplet"),
        ('{"role": "alien", "situations": ["threats"]}', "incomplet"),
        ('{"role": "victim", "situations": ["threats"], "age": "douze"}', "incomplet"),
        ('{"role": "victim", "situations": ["threats"], "mood": "sad"}', "incomplet"),
        ('{"role": "victim", "situations": []}', "incomplet"),
    ],
)
def test_bad_answers_files_get_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(content, encoding="utf-8")
    code, out, err = recours(capsys, "orient", "--answers", str(answers), "--json")
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_a_missing_answers_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = recours(capsys, "orient", "--answers", str(tmp_path / "nope.json"))
    assert code == 2
    assert "Impossible de lire" in err


# Typer writes its usage errors in English; each kind is told again in the user's language.
USAGE_ERRORS = [
    (("resources", "--colour"), "Option inconnue : --colour.", "Unknown option: --colour."),
    (("analyse", "--jso"), "Vouliez-vous dire --json ?", "Did you mean --json?"),
    (("analyse", "--limit", "abc"), "--limit attend un nombre entier.", "--limit expects a whole number."),
    (("analyse", "--limit", "1.5"), "--limit attend un nombre entier.", "--limit expects a whole number."),
    (("resources", "--at"), "L’option --at attend une valeur.", "The option --at needs a value."),
    (
        ("analyse", "--json=yes"),
        "L’option --json ne prend pas de valeur.",
        "The option --json takes no value.",
    ),
    (("import",), "Il manque l’argument FICHIER.", "The argument FICHIER is missing."),
    (("frob",), "Commande inconnue : frob.", "Unknown command: frob."),
    (("anlyse",), "Vouliez-vous dire analyse ?", "Did you mean analyse?"),
    (("analyse", "--json", "x", "y"), "Arguments en trop : x y.", "Unexpected arguments: x y."),
]
ENGLISH_FRAMEWORK_WORDS = (
    "No such",
    "Invalid value",
    "Missing",
    "requires",
    "Got unexpected",
    "Input should",
)


@pytest.mark.parametrize(("args", "french", "english"), USAGE_ERRORS)
def test_usage_errors_are_told_in_the_users_language(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], french: str, english: str
) -> None:
    code, out, err = recours(capsys, *args)
    assert (code, out) == (2, "")
    assert french in err
    assert not any(word in err for word in ENGLISH_FRAMEWORK_WORDS), err
    # The help it points to is the command's own.
    assert (
        f"« recours {args[0]} --help »" in err
        if args[0] not in ("frob", "anlyse")
        else "« recours --help »" in err
    )
    code, _, err = recours(capsys, "--lang", "en", *args)
    assert code == 2
    assert english in err


def test_a_group_of_commands_alone_shows_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = recours(capsys, "vault")
    assert (code, err) == (0, "")
    assert out.startswith("Utilisation : recours vault [OPTIONS] COMMANDE [ARGUMENTS]…")
    assert "Commandes :" in out and "passphrase" in out


def _all_commands() -> list[tuple[str, ...]]:
    import typer

    from recours.cli.main import app

    def walk(command: typer.core.TyperGroup, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [path]
        for name, sub in command.commands.items():
            found += walk(sub, (*path, name)) if isinstance(sub, typer.core.TyperGroup) else [(*path, name)]
        return found

    return walk(typer.main.get_command(app), ())  # type: ignore[arg-type]


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "recours")
def test_every_help_page_is_framed_in_french(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    code, out, _ = recours(capsys, *command, "--help")
    assert code == 0
    assert out.startswith("Utilisation : recours")
    assert "Affiche cette aide." in out
    for english in (
        "Usage:",
        "Options:",
        "Commands:",
        "Arguments:",
        "Show this message",
        "[default:",
        "[required]",
    ):
        assert english not in out, (english, out)
    assert re.search(r"<\w[^>]*>", out) is None, out  # no Python type ("<str>") after a name
    assert "..." not in out.partition("Commandes :")[2]  # each command's sentence whole, not cut


def test_every_option_that_takes_a_value_names_it() -> None:
    """Typer's own names are Python types ("<str>"), which the help pages leave out: each option
    with a value needs its metavar ("--me NOM"), or it would look like a flag."""
    import typer

    from recours.cli.main import app

    def unnamed(command: typer.core.TyperCommand | typer.core.TyperGroup, path: str) -> list[str]:
        found = [
            f"{path} {param.opts[0]}"
            for param in command.params
            if param.param_type_name == "option" and not param.is_flag and param.metavar is None
        ]
        for name, sub in getattr(command, "commands", {}).items():
            found += unnamed(sub, f"{path} {name}")
        return found

    assert unnamed(typer.main.get_command(app), "recours") == []


def test_an_unknown_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = recours(capsys, "--lang", "de", "resources")
    assert code == 2
    assert "Langue inconnue" in err


def test_orient_without_a_terminal_asks_for_an_answers_file() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "recours", "orient"],
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--answers" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_is_french_by_default_and_english_on_request() -> None:
    def helptext(*args: str, env_lang: str = "fr_FR.UTF-8") -> str:
        env = {"LANG": env_lang, "PATH": "/usr/bin:/bin"}
        return subprocess.run(
            [sys.executable, "-m", "recours", *args, "--help"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout

    assert "Liste les organismes" in helptext()
    assert "List the help organisations" in helptext("--lang", "en")
    assert "List the help organisations" in helptext(env_lang="en_GB.UTF-8")
    # The frame of the page too, and the names of the values.
    english = helptext("--lang", "en", "analyse")
    assert english.startswith("Usage: recours analyse [OPTIONS]")
    assert "Options:" in english and "Show this help." in english and "--me NAME" in english
    assert "Utilisation" not in english and "Affiche cette aide" not in english
