"""The JSON API, documented in /openapi.json. Same services and shapes as the CLI's --json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from recours.adapters.clock import PARIS
from recours.domain.situation import Situation
from recours.services import directory as directory_svc
from recours.services import orientation as svc
from recours.web.render import WebConfig

router = APIRouter(prefix="/api", tags=["api"])


@router.post("/orientation", summary="Où se tourner, à partir d’une situation")
async def orientation(
    situation: Situation,
    request: Request,
    lang: Literal["fr", "en"] = "fr",
    at: Annotated[datetime | None, Query(description="Instant ISO 8601 (défaut : maintenant).")] = None,
) -> dict[str, Any]:
    """Urgent contacts first, then ranked recommendations, warnings and next steps.

    The body is the situation (same JSON as ``recours orient --answers``). Texts are in
    ``lang``. Opening states are computed at ``at``, or now.
    """
    config: WebConfig = request.app.state.config
    instant = _aware(at) if at else request.app.state.clock()
    result = svc.run(situation, config.knowledge.rules, config.knowledge.directory, instant)
    return svc.orientation_json(result, lang)


@router.get("/resources", summary="L’annuaire des organismes d’aide")
async def resources(
    request: Request,
    lang: Literal["fr", "en"] = "fr",
    at: Annotated[datetime | None, Query(description="Instant ISO 8601 (défaut : maintenant).")] = None,
) -> list[dict[str, Any]]:
    """Every entry, with ``open_now``, ``closes_at`` and ``next_opening`` at ``at``."""
    config: WebConfig = request.app.state.config
    instant = _aware(at) if at else request.app.state.clock()
    items = directory_svc.list_resources(config.knowledge.directory, instant)
    return [directory_svc.resource_json(i, lang) for i in items]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=PARIS)
