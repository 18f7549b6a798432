"""An HR lead runs a wave in the web app: upload a roster (dry run, then for real), create, launch and close."""

from __future__ import annotations

import asyncio
import io
import re

from openpyxl import Workbook

from tests.integration.world import World, client_for


def workbook_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "employees"
    sheet.append(["email", "team", "language"])
    for i in range(6):
        sheet.append([f"new{i}@alpha.example", "S", "fr"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEAMS_CSV = b"external_id,name,parent_external_id\nHQ,Head office,\nS,South,HQ\nS2,South two,S\n"


async def test_hr_lead_uploads_a_roster_creates_launches_and_closes_a_wave(world: World) -> None:
    client = await client_for(world.app, "hr_lead")
    try:
        form = await client.get("/org/import")
        token = client.cookies["csrftoken"]
        organisation = re.search(r'<option value="([^"]+)">Alpha</option>', form.text)
        assert organisation
        files = [
            ("files", ("teams.csv", TEAMS_CSV, "text/csv")),
            ("files", ("staff.xlsx", workbook_bytes(), "application/octet-stream")),
        ]
        fields = {"_csrf_token": token, "organisation_id": organisation.group(1)}
        dry = await client.post("/org/import", data={**fields, "dry_run": "on"}, files=files)
        assert dry.status_code == 200
        assert "Changerait (essai à blanc, rien d'enregistré)" in dry.text and "équipes créées : 1" in dry.text
        real = await client.post("/org/import", data=fields, files=files)
        assert (
            "Importé" in real.text and "équipes créées : 1" in real.text and "collaborateurs ajoutés : 6" in real.text
        )
        again = await client.post("/org/import", data=fields, files=files)
        assert "équipes créées : 0" in again.text  # the dry run saved nothing, the import did
        bad = await client.post(
            "/org/import",
            data=fields,
            files=[("files", ("teams.csv", b"external_id,name,parent_external_id\nX,X,NOPE\n", "text/csv"))],
        )
        assert bad.status_code == 422
        assert "teams.csv, ligne 2, colonne parent_external_id : équipe parente inconnue &#39;NOPE&#39;" in bad.text

        summer = {**fields, "name": "Summer", "opens_on": "2026-06-01", "closes_on": "2026-06-30", "teams": "S"}
        too_late = await client.post("/waves", data={**summer, "reminder_days": "7, 45"})
        assert (
            too_late.status_code == 422
            and "reminder_days : des jours avant la date de clôture, de 0 à 29" in too_late.text
        )
        created = await client.post("/waves", data={**summer, "reminder_days": "2, 7"}, follow_redirects=False)
        assert created.status_code == 303
        wave_url = created.headers["location"]
        draft = (await client.get(wave_url)).text
        assert "Relances automatiques 7, 2 jours avant la clôture" in draft
        assert "Qui sera invité, équipe par équipe" in draft and "Collaborateurs à inviter" in draft
        letter = await client.get(f"{wave_url}/emails")  # the invitation as an employee will read it, in French
        assert "Objet :</strong> Alpha : votre avis sur l&#39;attention dans votre équipe" in letter.text
        assert "L&#39;enquête est ouverte jusqu&#39;au 30 juin 2026." in letter.text and "/r/EXAMPLE" in letter.text
        reminder = await client.get(f"{wave_url}/emails?language=en&respondent=customer&kind=reminder")
        assert "Reminder: Alpha: your view of the team that served you" in reminder.text
        assert "served by the South team at Alpha" in reminder.text and "This link replaces the one" in reminder.text
        intro = {"introduction_fr": "Votre avis guide nos plans d'action.", "introduction_en": "Your view guides us."}
        saved = await client.post(f"{wave_url}/introduction", data={**fields, **intro}, follow_redirects=False)
        assert saved.status_code == 303
        assert "Votre avis guide nos plans d&#39;action." in (await client.get(f"{wave_url}/emails")).text
        english = await client.get(f"{wave_url}/emails?language=en&respondent=customer")
        assert "Your view guides us." in english.text and "Votre avis guide" not in english.text
        too_long = await client.post(f"{wave_url}/introduction", data={**fields, "introduction_en": "y" * 1001})
        assert too_long.status_code == 422 and "introduction_en : plus de 1000 caractères" in too_long.text
        assert "Votre avis guide nos plans d&#39;action." in (await client.get(f"{wave_url}/emails")).text  # kept
        odd = await client.get(f"{wave_url}/emails?kind=newsletter")
        assert odd.status_code == 400 and "kind : une valeur parmi invitation, reminder" in odd.text
        assert re.search(r"South <span[^>]*>\(S\)</span></th>\s*<td>6</td><td>–</td>", draft)  # before launch
        assert f'href="{wave_url}/confirm/launch"' in draft and "/launch" not in draft.replace("/confirm/launch", "")
        confirm = await client.get(f"{wave_url}/confirm/launch")  # what the launch will do, before it does it
        assert confirm.status_code == 200
        assert (
            "6 collaborateurs seront invités, 0 client." in confirm.text and "0 e-mail part maintenant." in confirm.text
        )
        assert "Aucun e-mail ne part sans serveur SMTP" in confirm.text
        assert f'<form method="post" action="{wave_url}/launch"' in confirm.text
        launched = await client.post(f"{wave_url}/launch", data={"_csrf_token": token}, follow_redirects=False)
        assert launched.status_code == 303
        assert (await client.get(f"{wave_url}/confirm/launch")).status_code == 409  # launched already: said, not shown
        extended = await client.post(
            f"{wave_url}/closing-date", data={"_csrf_token": token, "closes_on": "2027-01-15"}, follow_redirects=False
        )
        assert extended.status_code == 303 and "15 janv. 2027" in (await client.get(wave_url)).text
        sooner = await client.post(f"{wave_url}/closing-date", data={"_csrf_token": token, "closes_on": "2027-01-10"})
        assert sooner.status_code == 422 and "closes_on : une date après la date de clôture actuelle" in sooner.text
        closing = await client.get(f"{wave_url}/confirm/close")
        assert "6 collaborateurs n'ont pas répondu, 0 client. Aucun e-mail ne part." in closing.text
        page = await client.get(wave_url)
        assert "ouverte" in page.text and "South two" in page.text and "North one" not in page.text
        assert re.search(r"South <span[^>]*>\(S\)</span></th>\s*<td>6</td><td>moins de 5</td>", page.text)
        closed = await client.post(f"{wave_url}/close", data={"_csrf_token": token}, follow_redirects=False)
        assert closed.status_code == 303
        page = (await client.get(wave_url)).text
        assert "État : <strong>en clôture</strong>" in page or "État : <strong>clôturée</strong>" in page
        # The close finishes in a job after the request (in-process here), with the results and the reports.
        for _ in range(600):
            page = (await client.get(wave_url)).text
            if "État : <strong>clôturée</strong>" in page:
                break
            await asyncio.sleep(0.05)
        assert "État : <strong>clôturée</strong>" in page
        twice = await client.post(f"{wave_url}/close", data={"_csrf_token": token})
        assert twice.status_code == 409
        assert "est « clôturée » : seule une vague ouverte peut être clôturée" in twice.text  # the refusal in French
    finally:
        await client.__aexit__(None, None, None)
