"""Template rendering: one autoescaping Jinja2 environment, the page context, errors as pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from recours.adapters.knowledge import Knowledge
from recours.domain.common import Lang, code_point_label
from recours.i18n import gettext_for
from recours.services.labels import metadata_label, state_label, status_label, when
from recours.web.sessions import Session


@dataclass(frozen=True)
class WebConfig:
    knowledge: Knowledge
    exit_url: str
    default_lang: Lang
    neutral_tab: bool = False


def make_environment() -> Environment:
    # Autoescaping everywhere: harassers' words will be rendered by these templates
    # (ARCHITECTURE.md, security baseline). StrictUndefined turns a typo into an error.
    return Environment(
        loader=PackageLoader("recours.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


ENV = make_environment()


def session_of(request: Request) -> Session | None:
    session: Session | None = request.scope.get("recours.session")
    return session


def lang_of(request: Request) -> Lang:
    session = session_of(request)
    config: WebConfig = request.app.state.config
    return session.lang if session else config.default_lang


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    session = session_of(request)
    config: WebConfig = request.app.state.config
    translate = gettext_for(lang).gettext
    now: datetime = context.pop("now", None) or request.app.state.clock()
    html = ENV.get_template(template).render(
        _=translate,
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        csrf_token=session.csrf_token if session else "",
        has_session=session is not None,
        path=request.url.path,
        exit_url=config.exit_url,
        neutral_tab=config.neutral_tab,
        now=now,
        state_label=lambda state: state_label(state, now, lang),
        status_label=lambda status: status_label(status, lang),
        when=lambda moment: when(moment, now, lang),
        metadata_label=lambda key: metadata_label(key, lang),
        **context,
    )
    # A lone surrogate (half an emoji, in some JSON exports) has no UTF-8 form: the page shows
    # its code point, as the dossier does, instead of failing to be sent.
    return HTMLResponse(_LONE_SURROGATE.sub(lambda m: code_point_label(m[0]), html), status_code=status_code)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
