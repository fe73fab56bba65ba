"""``recours serve`` (and ``make run``): the local web app on 127.0.0.1, behind a launch token."""

from __future__ import annotations

from typing import Annotated

import typer

from recours.adapters.browser import can_open_browser, open_browser
from recours.adapters.network import first_free_port
from recours.cli.context import STATE
from recours.cli.text import _
from recours.settings import Settings
from recours.web.app import create_app, new_launch_token

HOST = "127.0.0.1"


def serve(
    port: Annotated[
        int | None, typer.Option("--port", metavar="PORT", help=_("Premier port essayé (défaut 8000)."))
    ] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help=_("Ne pas ouvrir le navigateur."))] = False,
) -> None:
    """Lance l’application web locale (127.0.0.1)."""
    import uvicorn

    settings = Settings()
    chosen = first_free_port(HOST, port or settings.port)
    token = new_launch_token()
    app = create_app(settings=settings, launch_token=token, port=chosen, lang=STATE.lang)
    url = f"http://{HOST}:{chosen}/?token={token}"
    STATE.out.print(STATE._("Recours est lancé. Ouvrez cette adresse dans votre navigateur :"), markup=False)
    STATE.out.print(url, markup=False, soft_wrap=True)
    STATE.out.print(
        STATE._("Pour arrêter : Ctrl+C. Cette adresse ne marche que pour ce lancement."),
        markup=False,
    )
    if settings.open_browser and not no_browser and can_open_browser():
        open_browser(url)
    uvicorn.run(app, host=HOST, port=chosen, log_level="warning", access_log=False, server_header=False)
