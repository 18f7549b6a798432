"""Leads' instruments on the web: the list, uploads (checked, stored once, audited), a new wave's choice, and the
preview of a version through the real survey form, which stores nothing."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from markupsafe import escape

from surveys.audit.models import AuditEvent
from surveys.collection.models import Response, SealedResponse
from surveys.db import alchemy_config
from surveys.instruments.loader import FILE_SIZE_CAP, INSTRUMENTS_DIR
from surveys.instruments.models import InstrumentVersion
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from tests.integration.world import World, client_for

ATTENTION = (INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8")
SERVICE = (
    ATTENTION.replace('key = "attention"', 'key = "service"')
    .replace('fr = "Symétrie des attentions"', 'fr = "Qualité de service"')
    .replace('en = "Symmetry of attention"', 'en = "Service quality"')
)
EMPLOYEE_FIRST = ("Mon responsable prend le temps de m'écouter.", "My manager takes the time to listen to me.")
CUSTOMER_FIRST = ("L'équipe a pris le temps de m'écouter.", "The team took the time to listen to me.")


def html(text: str) -> str:
    """`text` as a page writes it (apostrophes escaped)."""
    return str(escape(text))


async def scalar(settings: Settings, query: sa.Select[int]) -> int:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return int(await session.scalar(query) or 0)
    finally:
        await config.get_engine().dispose()


async def count(settings: Settings, model: type) -> int:
    return await scalar(settings, sa.select(sa.func.count()).select_from(model))


async def registrations(settings: Settings) -> list[tuple[str | None, str]]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            events = await session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "instrument.register").order_by(AuditEvent.occurred_at)
            )
            return [(event.target, event.details["outcome"]) for event in events]
    finally:
        await config.get_engine().dispose()


async def upload(client: AsyncTestClient, name: str, content: bytes) -> str:  # type: ignore[type-arg]
    response = await client.post(
        "/instruments",
        data={"_csrf_token": client.cookies["csrftoken"]},
        files={"file": (name, content, "application/toml")},
    )
    assert response.status_code in (200, 422), response.status_code
    return f"{response.status_code} {response.text}"


async def test_a_lead_uploads_an_instrument_once_and_a_new_wave_uses_it(world: World, clean_database: Settings) -> None:
    client = await client_for(world.app, "cx_lead")
    try:
        listed = await client.get("/instruments")
        assert listed.status_code == 200
        assert "Symétrie des attentions" in listed.text and "attention v1 · la plus récente · livrée avec Symmetry" in (
            listed.text
        )
        assert "figée : une vague l'utilise" in listed.text  # the world's waves use it
        assert re.search(r"<td>7</td><td>7</td><td>7</td><td>7</td><td>5</td>\s*<td>2</td>", listed.text)
        assert 'enctype="multipart/form-data"' in listed.text and 'name="_csrf_token"' in listed.text

        first = await upload(client, "service.toml", SERVICE.encode())
        assert first.startswith("200") and "Enregistré depuis service.toml sous service v1." in first
        assert "Qualité de service" in first and "pas encore utilisée" in first
        again = await upload(client, "service.toml", SERVICE.encode())
        assert "service.toml contient déjà ce que contient service v1 : rien n'a changé." in again
        assert await count(clean_database, InstrumentVersion) == 2

        edited = SERVICE.replace(EMPLOYEE_FIRST[1], "My manager really listens to me.")
        updated = await upload(client, "service-2.toml", edited.encode())
        assert (
            "service v1, qu'aucune vague n'utilise encore, contient désormais le contenu de service-2.toml." in updated
        )
        assert await count(clean_database, InstrumentVersion) == 2

        form = await client.get("/waves/new")
        option = re.search(r'<option value="([0-9a-f-]{36})" >Qualité de service \(service v1\)</option>', form.text)
        assert option, form.text
        shipped_first = (
            r'name="instrument"><option value="[0-9a-f-]{36}" >Symétrie des attentions \(attention v1, livré'
        )
        assert re.search(shipped_first, form.text)  # the default: a browser selects the first option
        fields = {
            "_csrf_token": client.cookies["csrftoken"],
            "organisation_id": str(world.alpha_id),
            "opens_on": "2026-09-01",
            "closes_on": "2026-09-30",
        }
        unknown = await client.post("/waves", data={**fields, "name": "Autumn", "instrument": str(uuid.uuid4())})
        assert unknown.status_code == 422 and html("instrument : version d'instrument inconnue") in unknown.text
        created = await client.post(
            "/waves", data={**fields, "name": "Autumn", "instrument": option.group(1)}, follow_redirects=False
        )
        assert created.status_code == 303
        wave_uses = await scalar(
            clean_database,
            sa.select(sa.func.count())
            .select_from(Wave)
            .where(Wave.instrument_version_id == uuid.UUID(option.group(1))),
        )
        assert wave_uses == 1
        wave_page = await client.get(created.headers["location"])
        wave_id = created.headers["location"].rsplit("/", 1)[1]
        assert f'href="/instruments/{option.group(1)}/preview?wave={wave_id}"' in wave_page.text

        frozen = await upload(client, "service-3.toml", edited.replace("really", "truly").encode())
        assert "Enregistré depuis service-3.toml sous service v2." in frozen  # v1 is now frozen by the wave
        assert await count(clean_database, InstrumentVersion) == 3
        assert await registrations(clean_database) == [
            ("service v1", "new"),
            ("service v1", "unchanged"),
            ("service v1", "updated"),
            ("service v2", "new"),
        ]
    finally:
        await client.__aexit__(None, None, None)


async def test_an_upload_with_problems_shows_every_one_and_stores_nothing(
    world: World, clean_database: Settings
) -> None:
    client = await client_for(world.app, "hr_lead")
    try:
        broken = (
            SERVICE.replace('label = { fr = "Écoute", en = "Listening" }', 'label = { fr = "Écoute" }')
            .replace('customer = { fr = "J\'ai eu confiance dans l\'équipe pour régler ma demande.", en = "I trusted '
                     'the team to sort out my request." }', "")
            .replace('key = "respect"', 'key = "overall"')  # a dimension the short customer form does not ask
        )  # fmt: skip
        page = await upload(client, "broken.toml", broken.encode())
        assert page.startswith("422")
        assert "Rien n'a été enregistré : 3 problèmes dans broken.toml" in page
        assert "dimensions[1] (listening).label : il manque le texte en" in page
        assert "dimensions[3] (trust) : aucune question customer" in page
        assert html("dimensions[6] (overall).key : 'overall' est réservé au score global") in page
        bad_files = {
            "latin.toml": (ATTENTION.encode("latin-1", errors="replace"), "pas du texte UTF-8 (octet "),
            "half.toml": (b'key = "service"\n[title\n', "TOML invalide : "),
            "empty.toml": (b"", "le fichier est vide"),
            "big.toml": (b"# " * (FILE_SIZE_CAP // 2 + 1), "plus de 256 Kio"),
            "picture.png": (b"\x89PNG\r\n\x1a\n\x00\x00", "pas du texte UTF-8 (octet 0)"),
            "nul.toml": (b'key = "service"\x00\n', "TOML invalide : "),
            "dated.toml": (
                SERVICE.replace('en = "Service quality"', 'en = "Service quality"\nsince = 2026-01-01').encode(),
                "title.since : une date, une heure ou un nombre infini, qu&#39;un instrument ne peut contenir",
            ),
        }
        for name, (content, problem) in bad_files.items():
            shown = await upload(client, name, content)
            assert shown.startswith("422") and problem in shown, name
            assert f"Rien n'a été enregistré : 1 problème dans {name}" in shown
        no_file = await client.post("/instruments", data={"_csrf_token": client.cookies["csrftoken"]})
        assert no_file.status_code == 422 and "file : choisissez un fichier TOML" in no_file.text
        none_chosen = await upload(client, "", b"")  # what a browser sends when no file was chosen
        assert none_chosen.startswith("422") and "file : choisissez un fichier TOML" in none_chosen
        await client.post("/account/language", data={"_csrf_token": client.cookies["csrftoken"], "language": "en"})
        english = await upload(client, "broken.toml", broken.encode())
        assert "Nothing stored: 3 problems in broken.toml" in english
        assert "dimensions[1] (listening).label: missing the en text" in english
        assert await count(clean_database, InstrumentVersion) == 1  # the world's attention only
        assert await registrations(clean_database) == []
    finally:
        await client.__aexit__(None, None, None)


async def test_the_shipped_instrument_can_be_stored_from_the_page_to_be_previewed(clean_database: Settings) -> None:
    from surveys.accounts.models import Role
    from surveys.accounts.services import create_user
    from surveys.app import create_app
    from tests.integration.world import PASSWORD

    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            await create_user(
                session, email="lead@new.example", password=PASSWORD, role=Role.ADMIN, organisation_id=None
            )
    finally:
        await config.get_engine().dispose()
    async with AsyncTestClient(app=create_app(clean_database)) as client:
        await client.get("/login")
        await client.post(
            "/login",
            data={"email": "lead@new.example", "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
        )
        empty = await client.get("/instruments")
        assert "Aucun instrument n'est encore enregistré." in empty.text
        assert "L'instrument livré avec Symmetry (attention) n'est pas encore enregistré" in empty.text
        form = await client.get("/waves/new")
        assert (
            '<option value="attention" >Symétrie des attentions (attention, livré avec Symmetry)</option>' in form.text
        )
        stored = await client.post(
            "/instruments", data={"_csrf_token": client.cookies["csrftoken"], "shipped": "attention"}, files={}
        )
        assert stored.status_code == 200 and "Enregistré depuis attention.toml sous attention v1." in stored.text
        assert "pas encore enregistré" not in stored.text
        twice = await client.post(
            "/instruments", files={"file": ("attention.toml", ATTENTION.encode(), "text/plain")},
            data={"_csrf_token": client.cookies["csrftoken"]},
        )  # fmt: skip
        assert "rien n'a changé" in twice.text and "attention v1" in twice.text
    assert await count(clean_database, InstrumentVersion) == 1


async def test_a_preview_walks_through_the_real_form_and_stores_nothing(world: World, clean_database: Settings) -> None:
    stored_before = (
        await count(clean_database, Response),
        await count(clean_database, SealedResponse),
        await scalar(clean_database, sa.select(sa.func.count()).select_from(Invitation).where(Invitation.answered)),
    )
    client = await client_for(world.app, "hr_lead")
    preview = f"/instruments/{world.version_id}/preview"
    try:
        first = await client.get(f"{preview}?respondent=employee&language=fr")
        assert first.status_code == 200
        assert '<strong id="preview-title" class="preview-tag">Aperçu</strong>' in first.text
        assert "attention v1 tel que les répondants le verront. Rien de ce que vous répondez ici n'est" in first.text
        assert html(EMPLOYEE_FIRST[0]) in first.text and "Étape 1 sur 3" in first.text
        assert "Votre équipe : Équipe exemple" in first.text and "Vos réponses sont anonymes" in first.text
        assert f'action="{preview}?respondent=employee"' in first.text
        token = client.cookies["csrftoken"]
        nothing = await client.post(f"{preview}?respondent=employee", data={"_csrf_token": token, "step": "1"})
        assert nothing.status_code == 422 and "Choisissez une réponse." in nothing.text and "Aperçu" in nothing.text
        items = re.findall(r'name="a\.([a-z_.]+)" value="4"', first.text)
        assert len(items) == 7
        answers = {f"a.{item}": "4" for item in items}
        data = {"_csrf_token": token, "lang": "fr", "action": "next"}
        second = await client.post(f"{preview}?respondent=employee", data={**data, "step": "1", **answers})
        assert second.status_code == 200 and "Étape 2 sur 3" in second.text and "Aperçu" in second.text
        assert html("Nos clients se sentent écoutés par notre équipe.") in second.text
        answers |= {f"a.{item}": "4" for item in re.findall(r'name="a\.([a-z_.]+)" value="4"', second.text)}
        third = await client.post(f"{preview}?respondent=employee", data={**data, "step": "2", **answers})
        assert "Étape 3 sur 3" in third.text
        outcomes = {f"a.{item}": "5" for item in re.findall(r'name="a\.([a-z_.]+)" value="5"', third.text)}
        assert set(outcomes) == {"a.outcome.engagement", "a.outcome.enps"}
        too_long = {"c.comment.employee": "x" * 1001}
        refused = await client.post(
            f"{preview}?respondent=employee",
            data={**data, "action": "submit", "step": "3", **answers, **outcomes, **too_long},
        )
        assert refused.status_code == 422 and "Votre commentaire dépasse 1000 caractères" in refused.text
        sent = await client.post(
            f"{preview}?respondent=employee",
            data={**data, "action": "submit", "step": "3", **answers, **outcomes, "c.comment.employee": "Très bien."},
            follow_redirects=False,
        )
        assert sent.status_code == 303
        assert sent.headers["location"] == f"{preview}/done?respondent=employee&language=fr"
        done = await client.get(sent.headers["location"])
        assert done.status_code == 200 and "Aperçu : rien n'a été enregistré" in done.text

        customer = await client.get(f"{preview}?respondent=customer&language=en")
        assert customer.status_code == 200 and '<html lang="en">' in customer.text
        assert "attention v1 as respondents will see it. Nothing you answer here is stored." in customer.text
        assert html(CUSTOMER_FIRST[1]) in customer.text and html(EMPLOYEE_FIRST[1]) not in customer.text
        assert "The team that served you: Example team" in customer.text
        assert "Think of your latest visit to this team, or your latest exchange with it." in customer.text
        assert "Step 1 of 2" in customer.text and "Your answers are anonymous" not in customer.text
        french = await client.post(
            f"{preview}?respondent=customer",
            data={"_csrf_token": token, "lang": "en", "step": "1", "action": "lang:fr"},
        )
        assert (
            html(CUSTOMER_FIRST[0]) in french.text and html("L'équipe qui vous a servi : Équipe exemple") in french.text
        )
        assert f'href="{preview}?respondent=employee&amp;language=fr"' in french.text  # the tabs follow the language

        for query, problem in [
            ("respondent=boss", "respondent : une valeur parmi employee, customer"),
            ("respondent=customer&language=de", "language : une valeur parmi fr, en"),
        ]:
            bad = await client.get(f"{preview}?{query}")
            assert bad.status_code == 400 and problem in bad.text, query
        bad_post = await client.post(f"{preview}?respondent=boss", data={"_csrf_token": token, "step": "1"})
        assert bad_post.status_code == 400
        elsewhere = await client.get(f"/instruments/{uuid.uuid4()}/preview")
        assert elsewhere.status_code == 403
        listed = await client.get("/instruments")
        assert f'href="{preview}?respondent=customer"' in listed.text
        wave_page = await client.get(f"/waves/{world.wave_id}")
        assert f'href="{preview}?wave={world.wave_id}"' in wave_page.text
        # Opened from the wave's page, every link and step of the preview keeps it, and leads back there.
        from_wave = await client.get(f"{preview}?wave={world.wave_id}&language=en")
        assert f'<a href="/waves/{world.wave_id}">Back to the wave</a>' in from_wave.text
        assert f"respondent=customer&amp;language=en&amp;wave={world.wave_id}" in from_wave.text
        assert f'action="{preview}?respondent=employee&amp;wave={world.wave_id}"' in from_wave.text
        assert (await client.get(f"{preview}?wave={uuid.uuid4()}")).status_code == 403  # no such wave: one refusal
        assert (await client.get(f"{preview}?wave=not-a-wave")).status_code == 400
    finally:
        await client.__aexit__(None, None, None)
    stored_after = (
        await count(clean_database, Response),
        await count(clean_database, SealedResponse),
        await scalar(clean_database, sa.select(sa.func.count()).select_from(Invitation).where(Invitation.answered)),
    )
    assert stored_after == stored_before == (0, 0, 0)
