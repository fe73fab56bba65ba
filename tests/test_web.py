"""The local web app: security baseline on every route, the questionnaire, the directory, the API."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tests.conftest import PORT, TOKEN, csrf_of, host_client, make_app

REQUIRED_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
# A concrete path for each route of the app's table (parameters filled in).
EXAMPLE_PARAMS = {"resource_id": "3018", "step_id": "danger", "path": "style.css"}


def flat_routes(routes: list[object]) -> list[object]:
    """The app's route table, with FastAPI's included routers expanded."""
    flat: list[object] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(flat_routes(inner.routes) if inner is not None else [route])
    return flat


def concrete_routes() -> list[tuple[str, str]]:
    routes = []
    for route in flat_routes(make_app().routes):
        if isinstance(route, Mount):
            routes.append(("GET", "/static/style.css"))
            continue
        path = re.sub(r"{(\w+)(:\w+)?}", lambda m: EXAMPLE_PARAMS.get(m.group(1), "x"), route.path)  # type: ignore[attr-defined]
        methods = route.methods if isinstance(route, APIRoute) else getattr(route, "methods", None)
        routes.extend((method, path) for method in sorted(methods or {"GET"}) if method != "HEAD")
    return routes


ROUTES = concrete_routes()


def assert_baseline(headers: object) -> None:
    for name, expected in REQUIRED_HEADERS.items():
        assert expected in headers[name], name  # type: ignore[index]
    assert "unsafe-inline" not in headers["content-security-policy"]  # type: ignore[index]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_sends_the_security_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, follow_redirects=False)
    assert_baseline(response.headers)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_but_exit_and_static_needs_the_launch_token(
    anonymous: TestClient, method: str, path: str
) -> None:
    response = anonymous.request(method, path, follow_redirects=False)
    if path.startswith(("/static/", "/sortie")) and path != "/sortie-rapide":
        assert response.status_code in (200, 303)
    else:
        assert response.status_code == 403, (method, path)
        assert_baseline(response.headers)


def test_the_route_table_is_covered() -> None:
    paths = {p for _, p in ROUTES}
    assert {"/", "/urgence", "/sortie", "/organismes", "/orientation", "/api/orientation"} <= paths


def test_the_launch_link_opens_a_session_and_drops_the_token_from_the_address(
    anonymous: TestClient,
) -> None:
    response = anonymous.get(f"/organismes?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/organismes"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert anonymous.get("/organismes").status_code == 200


def test_a_wrong_token_is_refused(anonymous: TestClient) -> None:
    assert anonymous.get("/?token=guess", follow_redirects=False).status_code == 403
    assert anonymous.get("/").status_code == 403


def test_the_launch_token_also_works_as_a_bearer_token_for_scripts(anonymous: TestClient) -> None:
    body = {"role": "victim", "situations": ["threats"]}
    assert anonymous.post("/api/orientation", json=body).status_code == 403
    response = anonymous.post("/api/orientation", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    wrong = anonymous.post("/api/orientation", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    "host", ["evil.example", "127.0.0.1", f"127.0.0.1:{PORT + 1}", f"localhost.evil:{PORT}"]
)
def test_a_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert_baseline(response.headers)


def test_localhost_is_accepted() -> None:
    with TestClient(make_app(), base_url=f"http://localhost:{PORT}") as client:
        assert client.get(f"/?token={TOKEN}").status_code == 200


def test_quick_exit_clears_the_session_and_leaves(client: TestClient) -> None:
    response = client.get("/sortie", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "https://meteofrance.com/"
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert "Max-Age=0" in response.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/orientation").status_code == 403


def test_quick_exit_forgets_the_answers_server_side(client: TestClient) -> None:
    old_cookie = client.cookies.get("recours_session")
    token = csrf_of(client)
    client.post("/orientation/role", data={"csrf_token": token, "role": "victim", "age": "14"})
    client.get("/sortie", follow_redirects=False)
    client.cookies.set("recours_session", old_cookie or "")
    assert client.get("/orientation").status_code == 403


def test_the_quick_exit_is_on_every_page(client: TestClient) -> None:
    for method, path in ROUTES:
        if (
            method != "GET"
            or path.startswith(("/static", "/api", "/openapi", "/sortie"))
            or path == "/orientation/resultats"
        ):
            continue
        html = client.get(path).text
        assert 'id="quick-exit"' in html and 'href="/sortie"' in html, path
        assert html.index('id="quick-exit"') < html.index("<main"), path


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    assert client.post("/orientation/role", data={"role": "victim"}).status_code == 403
    assert client.post("/langue", data={"lang": "en", "csrf_token": "forged"}).status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": f"http://127.0.0.1:{PORT}"},
    ],
)
def test_cross_site_posts_are_refused_even_with_a_token(client: TestClient, headers: dict[str, str]) -> None:
    token = csrf_of(client)
    response = client.post("/orientation/role", data={"csrf_token": token, "role": "victim"}, headers=headers)
    assert response.status_code == 403
    same = client.post(
        "/orientation/role",
        data={"csrf_token": token, "role": "victim"},
        headers={"Origin": f"http://127.0.0.1:{PORT}", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_the_whole_questionnaire_without_javascript(client: TestClient) -> None:
    token = csrf_of(client)
    steps = [
        ("danger", {"immediate_danger": "no", "cannot_speak": "no"}),
        ("wellbeing", {"suicidal_thoughts": "no"}),
        ("role", {"role": "victim", "age": "13"}),
        ("situations", {"situations": ["cyberharassment", "school_harassment"]}),
        ("visibility", {"visibility": "private"}),
        ("context", {"author_known": "yes", "school_related": "yes", "money_demanded": "no"}),
        ("goals", {"goals": ["talk"], "first_seen": ""}),
    ]
    for step, fields in steps:
        response = client.post(
            f"/orientation/{step}", data={"csrf_token": token, **fields}, follow_redirects=False
        )
        assert response.status_code == 303, step
    assert response.headers["location"] == "/orientation/resultats"
    html = client.get("/orientation/resultats").text
    assert html.index("3018") < html.index("Chef d’établissement") if "Chef d’établissement" in html else True
    first_card = html.split('class="card"')[1]
    assert "/organismes/3018" in first_card
    assert "À faire tout de suite" not in html
    assert "Le 3020" in html


def test_a_step_with_a_missing_answer_shows_the_error_tied_to_its_field(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post("/orientation/situations", data={"csrf_token": token})
    assert response.status_code == 422
    html = response.text
    assert 'role="alert"' in html
    assert 'id="situations-error"' in html
    assert 'aria-describedby="situations-error"' in html
    bad_age = client.post("/orientation/role", data={"csrf_token": token, "role": "victim", "age": "-3"})
    assert bad_age.status_code == 422 and 'aria-invalid="true"' in bad_age.text


def test_results_before_answering_send_back_to_the_questions(client: TestClient) -> None:
    response = client.get("/orientation/resultats", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/orientation/")


def test_urgent_answers_put_the_emergency_numbers_on_top(client: TestClient) -> None:
    token = csrf_of(client)
    client.post(
        "/orientation/danger",
        data={"csrf_token": token, "immediate_danger": "yes", "cannot_speak": "yes"},
    )
    client.post("/orientation/role", data={"csrf_token": token, "role": "victim"})
    client.post("/orientation/situations", data={"csrf_token": token, "situations": "threats"})
    html = client.get("/orientation/resultats").text
    assert html.index("À faire tout de suite") < html.index("Nos recommandations")
    assert "sms:114" in html


def test_no_case_data_in_urls_or_titles(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/orientation/situations",
        data={"csrf_token": token, "situations": "sextortion"},
        follow_redirects=False,
    )
    assert "sextortion" not in response.headers["location"]
    client.post("/orientation/role", data={"csrf_token": token, "role": "victim", "age": "15"})
    html = client.get("/orientation/resultats").text
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and "15" not in title.group(1) and "sextor" not in title.group(1).lower()


def test_the_language_switch(client: TestClient) -> None:
    token = csrf_of(client, "/organismes")
    response = client.post(
        "/langue",
        data={"csrf_token": token, "lang": "en", "next": "/organismes"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/organismes"
    html = client.get("/organismes").text
    assert '<html lang="en">' in html and "Leave quickly" in html
    evil = client.post(
        "/langue",
        data={"csrf_token": token, "lang": "fr", "next": "https://evil.example"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/"


def test_the_directory_page_search_and_entries(client: TestClient) -> None:
    html = client.get("/organismes").text
    assert "Ouvert maintenant" in html and "Anciens noms" in html
    token = csrf_of(client, "/organismes")
    found = client.post("/organismes", data={"csrf_token": token, "q": "données"}).text
    assert "/organismes/cnil" in found and "/organismes/3114" not in found
    partial = client.post(
        "/organismes", data={"csrf_token": token, "q": "école"}, headers={"HX-Request": "true"}
    ).text
    assert partial.lstrip().startswith('<div id="directory-results"')
    superseded = client.get("/organismes/3020").text
    assert 'href="/organismes/3018"' in superseded and "tel:3020" not in superseded
    assert client.get("/organismes/inconnu").status_code == 404


def test_the_api_answers_like_the_cli(client: TestClient) -> None:
    body = {
        "age": 24,
        "role": "victim",
        "situations": ["intimate_images"],
        "visibility": "public",
        "author_known": True,
        "goals": ["remove_content", "file_complaint"],
        "first_seen": "2026-09-01",
    }
    result = client.post("/api/orientation?lang=en&at=2026-11-28T12:00:00%2B01:00", json=body).json()
    ids = [r["id"] for r in result["recommendations"]]
    assert {"stopncii", "pharos", "plainte"} <= set(ids)
    assert result["warnings"] and all(set(w) == {"code", "text"} for w in result["warnings"])
    bad = client.post("/api/orientation", json={"role": "victim"})
    assert bad.status_code == 422
    schema = client.get("/openapi.json").json()
    assert "/api/orientation" in schema["paths"]


def test_the_api_lists_resources_at_an_instant(client: TestClient) -> None:
    data = client.get("/api/resources", params={"at": "2026-12-25T10:00:00+01:00"}).json()
    by_id = {e["id"]: e for e in data}
    assert by_id["3018"]["open_now"] is True and by_id["cnil"]["open_now"] is False


def test_harassers_words_are_escaped(client: TestClient) -> None:
    token = csrf_of(client, "/organismes")
    html = client.post("/organismes", data={"csrf_token": token, "q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_fresh_app_in_english() -> None:
    with host_client(make_app(lang="en")) as client:
        assert "Leave quickly" in client.get(f"/?token={TOKEN}").text


def test_the_protection_page_is_linked_from_every_page_and_says_both_sides(client: TestClient) -> None:
    page = client.get("/protection")
    assert page.status_code == 200
    assert "Ce que Recours protège" in page.text and "Ce que Recours ne protège pas" in page.text
    assert "logiciel espion" in page.text and "historique du navigateur" in page.text.lower()
    for path in ("/", "/coffre", "/orientation", "/organismes"):
        assert 'href="/protection"' in client.get(path).text, path


def test_a_neutral_tab_title_when_asked() -> None:
    with host_client(make_app(neutral_tab=True)) as neutral:
        neutral.get(f"/?token={TOKEN}")
        for path in ("/", "/coffre", "/orientation", "/protection"):
            html = neutral.get(path).text
            titles = re.findall(r"<title>([^<]*)</title>", html)
            assert titles == ["Notes"], (path, titles)
            # The icon too: a transparent one, never ours.
            assert re.findall(r'<link rel="icon" href="([^"]*)">', html) == ["/static/blank.png"], path
        icon = neutral.get("/static/blank.png")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    with host_client(make_app()) as usual:
        usual.get(f"/?token={TOKEN}")
        assert re.findall(r"<title>([^<]*)</title>", usual.get("/protection").text) == [
            "Ce que Recours protège — Recours"
        ]


def test_the_journey_says_where_you_are_and_what_comes_next(client: TestClient) -> None:
    page = client.get("/orientation/role").text
    assert 'aria-current="step"' in page and "1. Trouver de l’aide" in page
    assert 'href="/aide/aide"' in page and "Ensuite :" in page
    assert 'aria-current="step"' not in client.get("/organismes").text  # not a step of the journey
    for step in ("aide", "preuves", "analyse", "dossier"):
        help_page = client.get(f"/aide/{step}")
        assert help_page.status_code == 200 and "Aide" in help_page.text, step
    assert client.get("/aide/inconnue").status_code == 404
