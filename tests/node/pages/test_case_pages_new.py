"""Posting a case through the new-case form: validation next to each field, CSRF,
the de-identification guard, and success."""

from __future__ import annotations

import re

from tests.node.pages.browsing import PASSWORD, browser
from tests.rig import NodeNetwork

FORM = {
    "title": "Toddler with recurrent fevers",
    "body": "Three-year-old with fevers every 4 weeks, aphthous ulcers and pharyngitis.",
    "question": "PFAPA or something else?",
    "language": "en",
    "audience": "federated",
    "age_band": "1-4",
    "sex": "female",
}


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="field-error error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


async def test_new_case_form_validates_and_posts(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(name="Alice Carter", specialty="pediatrics", password=PASSWORD)
    async with browser(node, author) as visitor:
        form = await visitor.get("/cases/new")
        assert form.status == 200
        assert 'value="pediatrics" checked' in form.html  # the author's specialty, preselected
        assert '<option value="en" lang="en" selected>' in form.html

        # Empty fields: 422, a message next to each, what was typed is kept.
        empty = await visitor.post("/cases/new", [*{**FORM, "body": " ", "question": ""}.items()])
        assert empty.status == 422
        assert field_error(empty.html, "body") == "Please fill in this field."
        assert field_error(empty.html, "question") == "Please fill in this field."
        assert field_error(empty.html, "specialties") == "Choose at least one specialty."
        assert field_error(empty.html, "title") is None
        assert f'value="{FORM["title"]}"' in empty.html
        assert 'aria-invalid="true" aria-describedby="question-error"' in empty.html

        # A specialty that is not in the list, tampered into the form.
        tampered = await visitor.post("/cases/new", [*FORM.items(), ("specialties", "astrology")])
        assert tampered.status == 422
        assert field_error(tampered.html, "specialties") == (
            "Choose specialties from the list, each once."
        )
        # Without the CSRF token the form is refused before anything happens.
        forged = await visitor.post(
            "/cases/new", [*FORM.items(), ("specialties", "pediatrics")], csrf=False
        )
        assert forged.status == 403
        status, listing = await node.request("GET", "/api/v1/cases", token=author.token)
        assert status == 200 and listing["items"] == []

        posted = await visitor.post(
            "/cases/new",
            [*FORM.items(), ("specialties", "pediatrics"), ("specialties", "infectious-diseases")],
        )
        assert posted.status == 303
        assert posted.location and posted.location.startswith("/cases/")
        page = await visitor.get(posted.location)
        assert page.status == 200
        assert FORM["title"] in page.html and "Alice Carter" in page.html
        assert "1 to 4 years" in page.text and "Female" in page.text
        assert "Infectious diseases" in page.text
        _, listing = await node.request("GET", "/api/v1/cases", token=author.token)
        assert [item["title"] for item in listing["items"]] == [FORM["title"]]


async def test_identifying_details_are_listed_and_can_be_confirmed(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    author = await node.add_member(password=PASSWORD)
    identifying = {
        **FORM,
        "body": "Mrs. Johanna Keller, phone 555-123-4567, has recurrent fevers.",
        "anonymous": "1",
    }
    async with browser(node, author) as visitor:
        refused = await visitor.post(
            "/cases/new", [*identifying.items(), ("specialties", "pediatrics")]
        )
        assert refused.status == 422
        assert "may identify a patient" in refused.text
        acks = re.findall(r'name="acknowledge" value="([^"]+)"', refused.html)
        assert "phone:555-123-4567" in acks
        assert 'aria-describedby="anonymous-hint" checked' in refused.html  # input kept
        _, listing = await node.request("GET", "/api/v1/cases", token=author.token)
        assert listing["items"] == []
        # The author confirms every finding is not identifying (the guard errs on the
        # side of caution); the case is posted, anonymously.
        confirmed = await visitor.post(
            "/cases/new",
            [
                *identifying.items(),
                ("specialties", "pediatrics"),
                *(("acknowledge", a) for a in acks),
            ],
        )
        assert confirmed.status == 303, confirmed.text[:2000]
        page = await visitor.get(confirmed.location or "")
        assert "Anonymous physician" in page.text
