"""The orientation questionnaire, one short step per page, and its results page.

Answers are kept in the server-side session, never in URLs; each step posts to itself
and redirects to the next (post/redirect/get), so the browser's back button and a
refresh behave, with or without JavaScript.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recours.domain.questionnaire import Questionnaire, situation_from_answers, step_problems
from recours.errors import InvalidAnswers
from recours.services import orientation as svc
from recours.web.render import WebConfig, lang_of, page, session_of
from recours.web.routes.forms import checked_form

router = APIRouter(include_in_schema=False)


def _questionnaire(request: Request) -> Questionnaire:
    config: WebConfig = request.app.state.config
    return config.knowledge.questionnaire


@router.get("/orientation", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    return page(request, "orientation_start.html", first=_questionnaire(request).steps[0].id)


@router.post("/orientation/recommencer")
async def restart(request: Request) -> Response:
    await checked_form(request)
    session = session_of(request)
    if session is not None:
        session.answers.clear()
    return RedirectResponse("/orientation", status_code=303)


@router.get("/orientation/resultats", response_class=HTMLResponse)
async def results(request: Request) -> Response:
    config: WebConfig = request.app.state.config
    session = session_of(request)
    answers = session.answers if session else {}
    questionnaire = config.knowledge.questionnaire
    try:
        situation = situation_from_answers(questionnaire, answers)
    except InvalidAnswers:
        return RedirectResponse(f"/orientation/{_first_incomplete(request, answers)}", status_code=303)
    now = request.app.state.clock()
    result = svc.run(situation, config.knowledge.rules, config.knowledge.directory, now)
    return page(request, "results.html", result=result, now=now, last_step=questionnaire.steps[-1].id)


@router.get("/orientation/{step_id}", response_class=HTMLResponse)
async def show_step(request: Request, step_id: str) -> Response:
    return _step_page(request, step_id, errors={})


@router.post("/orientation/{step_id}", response_class=HTMLResponse)
async def save_step(request: Request, step_id: str) -> Response:
    questionnaire = _questionnaire(request)
    index = _index(questionnaire, step_id)
    step = questionnaire.steps[index]
    fields = await checked_form(request)
    session = session_of(request)
    if session is None:
        raise HTTPException(status_code=403)
    for question in step.questions:
        session.answers[question.field] = fields.get(question.field, [])
    errors = step_problems(step, session.answers, lang_of(request))
    if errors:
        return _step_page(request, step_id, errors=errors, status_code=422)
    if index + 1 < len(questionnaire.steps):
        return RedirectResponse(f"/orientation/{questionnaire.steps[index + 1].id}", status_code=303)
    return RedirectResponse("/orientation/resultats", status_code=303)


def _step_page(request: Request, step_id: str, errors: dict[str, str], status_code: int = 200) -> Response:
    questionnaire = _questionnaire(request)
    index = _index(questionnaire, step_id)
    session = session_of(request)
    return page(
        request,
        "step.html",
        status_code,
        step=questionnaire.steps[index],
        number=index + 1,
        total=len(questionnaire.steps),
        previous=questionnaire.steps[index - 1].id if index > 0 else None,
        answers=session.answers if session else {},
        errors=errors,
        yes_no=questionnaire.yes_no_options(),
    )


def _index(questionnaire: Questionnaire, step_id: str) -> int:
    try:
        return questionnaire.step_index(step_id)
    except KeyError:
        raise HTTPException(status_code=404) from None


def _first_incomplete(request: Request, answers: dict[str, list[str]]) -> str:
    questionnaire = _questionnaire(request)
    for step in questionnaire.steps:
        if step_problems(step, answers, "fr"):
            return step.id
    return questionnaire.steps[0].id
