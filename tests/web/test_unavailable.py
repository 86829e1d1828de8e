"""A page whose database is lost says so in French, in the normal layout, never as a 500."""

from __future__ import annotations

from tests.http.test_database_unavailable import lose_the_database


async def test_a_page_without_its_database_says_the_service_is_briefly_unavailable(app, client, pages) -> None:
    await lose_the_database(app, client)

    response = await pages["social_worker"].get("/ui/caseload")

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Service momentanément indisponible" in response.text
    assert "Réessayez dans quelques secondes" in response.text


async def test_an_address_no_page_has_answers_a_french_page_not_json(pages) -> None:
    response = await pages["social_worker"].get("/ui/no-such-page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'lang="fr"' in response.text and "Retour à l" in response.text  # a way back to the start page
