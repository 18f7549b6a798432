"""The leads' and managers' pages in the user's language: their choice, else the browser's, else French."""

from __future__ import annotations

import re

from tests.integration.world import World, client_for


def _lang(html: str) -> str:
    match = re.search(r'<html lang="(\w+)">', html)
    assert match, html[:200]
    return match.group(1)


async def test_pages_follow_the_browser_and_default_to_french(world: World) -> None:
    client = await client_for(world.app, "anonymous")
    try:
        french = await client.get("/login")
        assert _lang(french.text) == "fr" and "Connexion à Symmetry" in french.text
        english = await client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
        assert _lang(english.text) == "en" and "Sign in to Symmetry" in english.text
        german = await client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
        assert _lang(german.text) == "fr"  # neither language asked for: French, the product's first
        asked = await client.get("/login?lang=en", headers={"Accept-Language": "fr"})
        assert _lang(asked.text) == "en"
    finally:
        await client.__aexit__(None, None, None)


async def test_a_users_choice_wins_over_the_browser_and_is_kept(world: World) -> None:
    client = await client_for(world.app, "hr_lead")
    try:
        french = await client.get(f"/waves/{world.wave_id}", headers={"Accept-Language": "fr"})
        assert _lang(french.text) == "fr" and "Taux de réponse" in french.text
        chosen = await client.post(
            "/account/language",
            data={"language": "en", "next": f"/waves/{world.wave_id}", "_csrf_token": client.cookies["csrftoken"]},
            follow_redirects=False,
        )
        assert chosen.status_code == 303 and chosen.headers["location"] == f"/waves/{world.wave_id}"
        english = await client.get(f"/waves/{world.wave_id}", headers={"Accept-Language": "fr"})
        assert _lang(english.text) == "en" and "Response rates" in english.text
        assert "Taux de réponse" not in english.text
        assert "Français" in english.text  # the way back
        elsewhere = await client.post(
            "/account/language",
            data={"language": "fr", "next": "//evil.example/phish", "_csrf_token": client.cookies["csrftoken"]},
            follow_redirects=False,
        )
        assert elsewhere.headers["location"] == "/dashboard"  # never back to another site
        refused = await client.post(
            "/account/language", data={"language": "de", "_csrf_token": client.cookies["csrftoken"]}
        )
        assert refused.status_code == 422 and "Choisissez le français ou l&#39;anglais." in refused.text
    finally:
        await client.__aexit__(None, None, None)


async def test_french_pages_format_numbers_dates_and_plurals_for_french(world: World) -> None:
    client = await client_for(world.app, "hr_lead")
    try:
        page = (await client.get(f"/waves/{world.wave_id}")).text
        assert re.search(r"du \d{1,2} \w+\.? \d{4} au \d{1,2} \w+\.? \d{4}", page), page
        english = (await client.get(f"/waves/{world.wave_id}", headers={"Accept-Language": "en"})).text
        assert re.search(r"\d{1,2} \w{3} \d{4} to \d{1,2} \w{3} \d{4}", english), english
    finally:
        await client.__aexit__(None, None, None)


async def test_not_found_and_refusal_pages_follow_the_users_choice_after_sign_in(world: World) -> None:
    client = await client_for(world.app, "hr_lead")
    try:
        chosen = await client.post(
            "/account/language",
            data={"language": "en", "next": "/dashboard", "_csrf_token": client.cookies["csrftoken"]},
            follow_redirects=False,
        )
        assert chosen.status_code == 303
        missing = await client.get("/no-such-page", headers={"Accept-Language": "fr"})
        assert missing.status_code == 404 and _lang(missing.text) == "en"  # no account on an unknown route
        refused = await client.get("/admin/users", headers={"Accept-Language": "fr"})
        assert refused.status_code == 403 and _lang(refused.text) == "en"
        client.cookies.set("lang", "<script>")  # a forged value is ignored, never echoed
        forged = await client.get("/no-such-page", headers={"Accept-Language": "fr"})
        assert forged.status_code == 404 and _lang(forged.text) == "fr" and "<script>" not in forged.text
    finally:
        await client.__aexit__(None, None, None)
