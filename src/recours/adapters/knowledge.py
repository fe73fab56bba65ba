"""Load the knowledge shipped in ``recours/data`` and validate it through the domain models.

TOML only (stdlib ``tomllib``): no YAML type coercion can turn "09:30" into a number or
"0123" into 123 (research/libs.md §12). A file that fails validation is a bug in Recours,
reported as :class:`KnowledgeError`, never shown to a user as their fault.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TypeVar

from pydantic import ValidationError

from recours.domain.directory import Directory, Resource
from recours.domain.orientation import RuleBook
from recours.domain.questionnaire import Questionnaire
from recours.errors import KnowledgeError

ModelT = TypeVar("ModelT", Resource, RuleBook, Questionnaire)


@dataclass(frozen=True)
class Knowledge:
    directory: Directory
    rules: RuleBook
    questionnaire: Questionnaire


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """Parse and cross-check every data file once per process."""
    data = resources.files("recours") / "data"
    directory = load_directory(data / "resources")
    rules = _validated(RuleBook, data / "orientation.toml")
    questionnaire = _validated(Questionnaire, data / "questionnaire.toml")
    problems = rules.check_against(directory)
    if problems:
        raise broken_data_file("orientation.toml", "; ".join(problems))
    return Knowledge(directory=directory, rules=rules, questionnaire=questionnaire)


def load_directory(folder: Traversable) -> Directory:
    entries = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml"):
            continue
        resource = _validated(Resource, path)
        if resource.id != path.name.removesuffix(".toml"):
            raise broken_data_file(path.name, f"the file name must be the id {resource.id!r}")
        entries.append(resource)
    try:
        return Directory(resources=entries)
    except ValidationError as exc:
        raise broken_data_file("resources/", str(exc)) from exc


def _validated(model: type[ModelT], path: Traversable) -> ModelT:
    try:
        return model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise broken_data_file(path.name, str(exc)) from exc


def broken_data_file(name: str, detail: str) -> KnowledgeError:
    """A packaged data file failed validation: a bug in Recours, never the user's fault."""
    return KnowledgeError(
        f"Un fichier de données de Recours est invalide ({name}). "
        "C’est une erreur du logiciel, pas de votre fait.",
        f"A Recours data file is invalid ({name}). This is a bug in the software, not your fault.",
        details=[detail],
    )
