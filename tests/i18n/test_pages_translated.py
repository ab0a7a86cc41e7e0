"""Every page the node serves, rendered in every UI language, shows no English.

The pages are taken from the node's own router, so a page added later is covered
without touching this test (a new path parameter needs a sample value below, and the
test says so). Two checks per page and language:

* no piece of text is an English catalog string whose translation differs from it
  (a string that was extracted but never translated, or a translation not applied);
* no piece of text is the same as on the English page unless it is the members' own
  words or a name: that catches English written into a template or into code without
  going through the catalog at all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from i18n.catalogs import po_path
from i18n.languages import SUPPORTED_LANGUAGES
from node.members.models import Role
from node.web.branding import without_product
from tests.node.accounts.support import PASSWORD, Browser, set_up_at_login
from tests.node.test_federation_basics import CASE
from tests.rig import NodeNetwork, TestNode

TRANSLATED = [language for language in SUPPORTED_LANGUAGES if language != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")

# Pages that are not HTML for people, or that only redirect.
NOT_PAGES = re.compile(
    r"^/(api/|\.well-known/|actor|outbox|nodeinfo|media/|static/)"
    r"|/events$|^/notifications/\{public_id\}/open$|/document$|^/healthz$"
)
# Attributes a reader sees or hears.
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


class _Texts(HTMLParser):
    """The pieces of text a reader sees or hears, whitespace collapsed. Content marked
    ``translate="no"`` (codes, fingerprints, addresses, pseudonyms) is left out, as
    browsers' translation tools leave it out; so is a ``·``-joined title's each part."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skipping: list[str] = []  # open elements whose content is not prose

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        untranslated = values.get("translate") == "no"
        if tag in ("script", "style", "textarea") or (untranslated and tag not in VOID):
            self._skipping.append(tag)  # code, what the member typed, or marked as such
        if untranslated or self._skipping:
            return
        for name in READ_ATTRIBUTES:
            self._add(values.get(name))
        if tag == "input" and values.get("type") in ("submit", "button"):
            self._add(values.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._add(data)

    def _add(self, text: str | None) -> None:
        for part in re.sub(r"\s+", " ", text or "").split(" · "):
            piece = part.strip()
            if re.search(r"[^\W\d_]{2,}", piece):  # words, not just numbers or marks
                self.pieces.append(piece)


def pieces(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return set(parser.pieces)


def english_strings(language: str) -> tuple[re.Pattern[str], set[str]]:
    """A pattern matching English strings this language translates, and the strings it
    keeps as they are (German "Moderator", Dutch "Status")."""
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    alternatives, kept = [], set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings:
                kept.add(english)
                continue
            parts = PLACEHOLDER.split(english)
            literal = " ".join(parts)
            if not re.search(r"[A-Za-z]{3,}\W+[A-Za-z]{3,}|[A-Za-z]{6,}", literal):
                # Too little English of its own to recognise: "%(title)s · %(node)s",
                # "In %(language)s" (Dutch "In het Engels" would match it)
                continue
            alternatives.append(".+?".join(re.escape(part) for part in parts).strip())
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(a for a in alternatives if a)), kept


def endonyms() -> set[str]:
    """Language names shown in their own language (the same on every page)."""
    names = set()
    for code in SUPPORTED_LANGUAGES:
        name = Locale.parse(code).get_display_name(code) or code
        names |= {name, name[:1].upper() + name[1:]}
    return names


async def seed(node: TestNode) -> dict[str, Any]:
    """A thread with everything a page can show: poll, replies, resolution, a report,
    a pending claim, a hidden reply; and the words members typed (allowed to repeat)."""
    author = await node.add_member(password=PASSWORD, name="Amara Okafor")
    colleague = await node.add_member(password=PASSWORD, name="Ben Carter")
    moderator = await node.add_member(password=PASSWORD, name="Mo Derator", role=Role.ADMIN)
    closes = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    poll = {
        "question": "Next step?",
        "options": ["MEFV panel", "Steroid trial"],
        "closes_at": closes,
    }
    status, case = await node.request("POST", "/api/v1/cases", token=author.token, json=CASE)
    assert status == 201, case
    path = f"/api/v1/cases/{case['local_id']}"
    status, body = await node.request("POST", f"{path}/poll", token=author.token, json=poll)
    assert status == 201, body
    _, first = await node.request(
        "POST", f"{path}/replies", token=colleague.token, json={"content": "MEFV first."}
    )
    _, second = await node.request(
        "POST",
        f"{path}/replies",
        token=colleague.token,
        json={"content": "Consider HIDS too.", "anonymous": True, "in_reply_to": first["local_id"]},
    )
    await node.request("POST", f"{path}/poll/votes", token=colleague.token, json={"choices": [0]})
    await node.request("POST", f"/api/v1/replies/{first['local_id']}/helpful", token=author.token)
    await node.request(
        "POST",
        "/api/v1/reports",
        token=author.token,
        json={"object": second["local_id"], "reason": "spam", "comment": "Off topic."},
    )
    status, _ = await node.request(
        "POST",
        f"{path}/resolution",
        token=author.token,
        json={"accepted_reply": first["local_id"], "summary": "FMF.", "found_what_needed": True},
    )
    assert status == 201
    _, detail = await node.request("GET", path, token=author.token)
    typed = {
        *(str(CASE[key]) for key in ("title", "body", "question")),
        *poll["options"],
        poll["question"],
        "MEFV first.",
        "Consider HIDS too.",
        "FMF.",
        "Off topic.",
    }
    names = {
        node.config.name,
        without_product(node.config.name),  # the header's "Curbside" is said once
        node.config.domain,
        author.name,
        colleague.name,
        moderator.name,
        author.email,
        colleague.email,
        moderator.email,
        *(r["author"].get("pseudonym") or "" for r in detail["replies"]),
    }
    return {
        "author": author,
        "moderator": moderator,
        "samples": {
            "local_id": case["local_id"],
            "reply_id": first["local_id"],
            "public_id": colleague.public_id,
            "handle": next(
                r["author"]["pseudonym"] for r in detail["replies"] if r["author"].get("pseudonym")
            ),
            "token": "not-a-real-token",
        },
        "allowed": typed | names | endonyms() | {"Curbside"},  # the product's name
    }


def page_paths(node: TestNode, samples: dict[str, str]) -> list[str]:
    """Every GET page of the node's router, with sample values in its parameters."""
    assert node.running is not None
    paths = set()
    for resource in node.running.app.router.resources():
        if not any(route.method == "GET" for route in resource):
            continue
        template = resource.canonical
        if NOT_PAGES.search(template):
            continue
        names = re.findall(r"\{(\w+)\}", template)
        unknown = [name for name in names if name not in samples]
        assert not unknown, f"give {unknown} of {template} a sample value in this test"
        paths.add(re.sub(r"\{(\w+)\}", lambda m: str(samples[m.group(1)]), template))
    return sorted(paths)


def who_opens(path: str) -> str:
    if path.startswith("/admin"):
        return "moderator"
    if path.startswith(("/login", "/signup", "/confirm", "/password")):
        return "visitor"
    return "author"


@pytest.mark.sqlite_only
async def test_every_page_in_every_language_has_no_english(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    data = await seed(node)
    samples = data["samples"]
    allowed: set[str] = data["allowed"]
    browsers = {"visitor": Browser(node), "author": Browser(node), "moderator": Browser(node)}

    async def render(path: str, language: str) -> tuple[int, str]:
        query = f"?object={samples['reply_id']}" if path == "/report" else ""
        status, html, _ = await browsers[who_opens(path)].get(
            path + query, headers={"Accept-Language": language}
        )
        return status, html

    try:
        assert (await browsers["author"].sign_in(data["author"].email))[0] == 302
        await set_up_at_login(browsers["moderator"], data["moderator"].email)
        english: dict[str, set[str]] = {}
        for path in page_paths(node, samples):
            status, html = await render(path, "en")
            assert status < 500, (path, html[:300])
            if status == 200:
                english[path] = pieces(html)
        assert len(english) >= 25, f"only {len(english)} pages rendered: {sorted(english)}"

        problems: list[str] = []
        for language in TRANSLATED:
            translated, kept = english_strings(language)
            for path, in_english in english.items():
                status, html = await render(path, language)
                assert status == 200, (language, path, status)
                found = pieces(html)
                bad = {piece for piece in found if translated.fullmatch(piece)}
                bad |= (found & in_english) - allowed - kept
                problems += [f"{language} {path}: {piece!r}" for piece in sorted(bad)]
        assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(problems[:80])
    finally:
        for browser in browsers.values():
            await browser.close()
