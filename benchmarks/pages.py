"""The case page: server time per language, and page weight (issue 6).

A fresh node is started in a child process (``curbside serve``), so the load generator
here does not share its event loop. A case is posted through the JSON API with 50
replies of realistic length (a quarter anonymous, about a third answering an earlier
reply rather than the case), a poll that most repliers voted in, and helpful marks.
A signed-in member (session cookie, as a browser) then asks for ``GET /cases/<id>``
in each of the UI's languages (``Accept-Language``; the member has no language
setting, so the header decides), one request at a time.

Server time is measured as wall time of each request over loopback, one request in
flight. The machine is shared and noisy, so every page request is paired with a
``GET /healthz`` (the same middlewares and a database round trip) sent right after it,
and the headline figure is the ratio page p50 / healthz p50 measured in the same run.
The server's own CPU time (``/proc/<pid>/stat``, summed over all requests of a kind)
is reported too: neighbours disturb it much less than wall time.

Page weight: the HTML of the case page in each language plus every stylesheet and
script it links (not images), uncompressed, against the 150 KB target; the gzip size
(what a compressing reverse proxy would send) is shown alongside.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp

from benchmarks.cases_scale import (
    create_node,
    server_cpu_seconds,
    start_server,
    stop_server,
    wait_until_up,
)
from i18n.languages import SUPPORTED_LANGUAGES
from node.db.engine import Database
from node.members.service import NewMember, add_member, issue_token
from node.runner import port_for_another_process

REPLIES = 50
ROUNDS = 30  # page requests per language (each followed by a /healthz)
REPLIERS = 12  # members who reply, vote and mark replies helpful
TARGET_WEIGHT_BYTES = 150_000
PASSWORD = "bench horse battery staple"  # noqa: S105 - throwaway benchmark accounts
SPECIALTIES = (
    *("pediatrics", "infectious-diseases", "nephrology", "cardiology", "dermatology"),
    *("internal-medicine", "neurology", "gastroenterology", "radiology", "emergency-medicine"),
)
TITLE = "Eight-year-old with recurrent haematuria after upper respiratory infections"
CASE = {
    "title": TITLE,
    "body": (
        "Previously healthy eight-year-old boy. Three episodes of painless macroscopic "
        "haematuria over the last year, each starting one to two days after a sore throat "
        "and clearing within a week. Between episodes the dipstick still shows 2+ blood and "
        "trace protein; urine protein to creatinine ratio 45 mg/mmol. Blood pressure on the "
        "90th centile for height. Creatinine normal for age, albumin 38 g/L, C3 and C4 "
        "normal, ANA and ANCA negative, anti-streptolysin O titre normal. Renal ultrasound "
        "shows normal-sized kidneys with normal corticomedullary differentiation. Hearing "
        "normal on screening audiometry, no ocular findings on slit lamp. Father had "
        "microscopic haematuria noted at a work medical and never investigated; no known "
        "kidney failure in the family. Urine microscopy during the last episode showed "
        "dysmorphic red cells and occasional red cell casts."
    ),
    "question": (
        "IgA nephropathy or a thin basement membrane / Alport spectrum picture? Would you "
        "biopsy now, or start an ACE inhibitor and test the family first?"
    ),
    "specialties": ["nephrology", "pediatrics"],
    "language": "en",
    "audience": "federated",
    "anonymous": False,
    "age_band": "5-9",
    "sex": "male",
}
# Sentences from which replies of realistic length (one to six sentences) are built.
SENTENCES = (
    "The timing after pharyngitis, with macroscopic haematuria within two days, is the "
    "classic synpharyngitic pattern of IgA nephropathy rather than post-streptococcal "
    "glomerulonephritis, where the latent period is one to three weeks and C3 is low.",
    "With persistent microscopic haematuria and a father who has it too, I would send "
    "COL4A3, COL4A4 and COL4A5 before anything invasive; a collagen IV variant changes "
    "the counselling for the whole family.",
    "A protein to creatinine ratio of 45 is modest, but it is not nothing at this age. "
    "I would repeat it on three first-morning samples before deciding on treatment.",
    "We biopsy children with proteinuria persistently above 50 mg/mmol, impaired function "
    "or hypertension. Below that, and with normal function, we follow closely.",
    "Red cell casts make a glomerular source certain, but they do not tell IgA disease "
    "from a collagen IV nephropathy; both can flare with infections.",
    "An ACE inhibitor is reasonable whichever diagnosis it turns out to be, since it "
    "lowers proteinuria in both; start low and check potassium and creatinine after two "
    "weeks.",
    "Please also dipstick the mother and siblings: X-linked Alport disease can be mild "
    "in carrier females, and an affected mother would change the inheritance pattern.",
    "In our cohort a third of the children with this picture had a heterozygous COL4A4 "
    "variant, and none of them needed a biopsy once the genetics came back.",
    "Audiometry at this age is often still normal in Alport disease, so a normal screen "
    "does not exclude it; I would repeat it yearly.",
    "If you do biopsy, ask for electron microscopy as well as immunofluorescence: the "
    "basement membrane changes are what separates the two diagnoses.",
    "Tonsillectomy has been tried for recurrent IgA flares, but the evidence in children "
    "outside Japan is weak, and I would not offer it on this history.",
    "Blood pressure on the 90th centile deserves an ambulatory recording before you "
    "decide; masked hypertension is common in children with glomerular disease.",
    "I agree with the previous answer on genetics first.",
    "Corticosteroids are only worth considering if the proteinuria rises despite a full "
    "dose of ACE inhibitor for three to six months.",
    "Thanks, that matches what we see in clinic as well.",
    "Could you share the urine sediment images from the last episode? Acanthocytes above "
    "five percent would settle the glomerular origin for me.",
)
POLL_OPTIONS = (
    "Genetic testing of the family first",
    "Kidney biopsy now",
    "ACE inhibitor and follow-up",
    "Watch and wait",
)
POLL = {"question": "What would you do next?", "options": list(POLL_OPTIONS), "multiple": False}


@dataclass
class Fixture:
    """What the benchmark needs once the node is running."""

    folder: Path
    base_url: str
    viewer_email: str
    author_token: str
    tokens: list[str] = field(default_factory=list)


async def prepare(folder: Path, repliers: int) -> Fixture:
    """A node folder with a case author, a signed-in viewer and ``repliers`` members."""
    port = port_for_another_process()  # the node runs in a child process
    config = await create_node(folder, port, None)
    db = Database(config.sqlalchemy_url)
    tokens = []
    try:
        async with db.write() as session:
            for n in range(repliers + 2):
                member = await add_member(
                    session,
                    NewMember(
                        email=f"pages{n}@bench.test",
                        name=f"Doctor Page {n}",
                        specialty=SPECIALTIES[n % len(SPECIALTIES)],
                        password=PASSWORD,
                        verified=True,
                    ),
                    actor="benchmark",
                )
                tokens.append(await issue_token(session, member, label="bench", actor="benchmark"))
    finally:
        await db.close()
    return Fixture(
        folder=folder,
        base_url=config.base_url,
        viewer_email="pages0@bench.test",
        author_token=tokens[1],
        tokens=[tokens[0], *tokens[2:]],  # the viewer votes too, so the tallies show
    )


async def _post(
    http: aiohttp.ClientSession, url: str, token: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST as the member; if the de-identification guard highlights details (it may
    take a capitalised "Three" for a name), confirm them as an author would: the text
    here is synthetic and identifies nobody."""
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(url, json=body, headers=headers) as reply:
        data: dict[str, Any] = await reply.json(content_type=None)
    if reply.status == 422 and data.get("findings"):
        confirmed = [{"kind": f["kind"], "text": f["text"]} for f in data["findings"]]
        async with http.post(
            url, json={**body, "acknowledged_findings": confirmed}, headers=headers
        ) as reply:
            data = await reply.json(content_type=None)
    if reply.status != 201:
        raise RuntimeError(f"POST {url} failed: HTTP {reply.status} {data}")
    return data


async def build_thread(fixture: Fixture, replies: int, seed: int = 6) -> str:
    """Post the case, its replies, poll, votes and helpful marks; returns its local_id."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    base = fixture.base_url
    async with aiohttp.ClientSession() as http:
        case = await _post(http, base + "/api/v1/cases", fixture.author_token, CASE)
        local_id = str(case["local_id"])
        closes = datetime.now(UTC) + timedelta(days=3)
        poll = {**POLL, "closes_at": closes.isoformat()}
        await _post(http, f"{base}/api/v1/cases/{local_id}/poll", fixture.author_token, poll)
        posted: list[str] = []
        for n in range(replies):
            token = fixture.tokens[n % len(fixture.tokens)]
            body: dict[str, Any] = {
                "content": " ".join(rng.sample(SENTENCES, rng.choice((1, 2, 2, 3, 3, 4, 6)))),
                "anonymous": rng.random() < 0.25,
            }
            if posted and rng.random() < 0.35:
                body["in_reply_to"] = rng.choice(posted[-8:])
            reply = await _post(http, f"{base}/api/v1/cases/{local_id}/replies", token, body)
            posted.append(str(reply["local_id"]))
        for n, token in enumerate(fixture.tokens):
            choice = [n % len(POLL_OPTIONS)]
            await _post(
                http, f"{base}/api/v1/cases/{local_id}/poll/votes", token, {"choices": choice}
            )
            for reply_id in rng.sample(posted, min(3, len(posted))):
                url = f"{base}/api/v1/replies/{reply_id}/helpful"
                async with http.post(url, headers={"Authorization": f"Bearer {token}"}) as mark:
                    await mark.read()  # 409 for one's own reply or a repeat: fine
    return local_id


async def sign_in(browser: aiohttp.ClientSession, base: str, email: str) -> None:
    async with browser.get(base + "/login") as response:
        match = re.search(r'name="csrf_token" value="([^"]+)"', await response.text())
    if match is None:
        raise RuntimeError("no CSRF token on the login page")
    form = {"email": email, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"}
    async with browser.post(base + "/login", data=form, allow_redirects=False) as response:
        if response.status != 302:
            raise RuntimeError(f"signing in failed: HTTP {response.status}")


class _Assets(HTMLParser):
    """Stylesheets and scripts a page links (what a browser fetches besides images)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        if tag == "link" and values.get("href") and ({"stylesheet", "modulepreload"} & set(rel)):
            self.urls.append(str(values["href"]))
        elif tag == "script" and values.get("src"):
            self.urls.append(str(values["src"]))


def linked_assets(html: str, page_url: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return list(dict.fromkeys(urljoin(page_url, url) for url in parser.urls))


async def page_weight(
    browser: aiohttp.ClientSession, page_url: str, language: str
) -> dict[str, Any]:
    headers = {"Accept": "text/html", "Accept-Language": language}
    async with browser.get(page_url, headers=headers) as response:
        html = await response.read()
    # The page really is the case page in that language: weighing (and timing) the
    # login page or an English fallback would be worthless.
    if f'<html lang="{language}"'.encode() not in html or TITLE.encode() not in html:
        raise RuntimeError(f"GET {page_url} in {language!r} did not return the case page")
    assets: dict[str, bytes] = {}
    for url in linked_assets(html.decode("utf-8"), page_url):
        async with browser.get(url) as response:
            assets[url] = await response.read()
    total = len(html) + sum(len(body) for body in assets.values())
    return {
        "html_bytes": len(html),
        "assets": {
            url.removeprefix(page_url.split("/cases/")[0]): len(b) for url, b in assets.items()
        },
        "total_bytes": total,
        "gzip_bytes": sum(len(gzip.compress(body)) for body in (html, *assets.values())),
        "within_target": total < TARGET_WEIGHT_BYTES,
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2),
    }


def _cpu(pid: int) -> float:
    """The server's CPU seconds so far; 0 where /proc is missing (the CPU column then
    reads 0, the wall times are unaffected)."""
    return server_cpu_seconds(pid) or 0.0


async def _timed(browser: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    async with browser.get(url, headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {url} answered HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


async def measure(
    browser: aiohttp.ClientSession, base: str, local_id: str, pid: int, rounds: int
) -> dict[str, Any]:
    """Page and healthz timings per language, interleaved so that both see the same
    neighbours; server CPU summed per kind of request."""
    page_url = f"{base}/cases/{local_id}"
    page_ms: dict[str, list[float]] = {language: [] for language in SUPPORTED_LANGUAGES}
    health_ms: list[float] = []
    page_cpu: dict[str, float] = dict.fromkeys(SUPPORTED_LANGUAGES, 0.0)
    health_cpu = 0.0
    rng = random.Random(11)  # noqa: S311 - the order of requests, not secrets
    for language in SUPPORTED_LANGUAGES:  # warm-up: templates compiled, caches filled
        await _timed(browser, page_url, {"Accept": "text/html", "Accept-Language": language})
    order = [language for _ in range(rounds) for language in SUPPORTED_LANGUAGES]
    rng.shuffle(order)
    for language in order:
        before = _cpu(pid)
        page_ms[language].append(
            await _timed(browser, page_url, {"Accept": "text/html", "Accept-Language": language})
        )
        middle = _cpu(pid)
        health_ms.append(await _timed(browser, base + "/healthz", {}))
        after = _cpu(pid)
        page_cpu[language] += middle - before
        health_cpu += after - middle
    health = _percentiles(health_ms)
    per_language = {}
    for language, samples in page_ms.items():
        figures = _percentiles(samples)
        figures["ratio_p50"] = round(figures["p50_ms"] / health["p50_ms"], 1)
        figures["cpu_ms"] = round(1000 * page_cpu[language] / len(samples), 2)
        per_language[language] = figures
    every_page = _percentiles([ms for samples in page_ms.values() for ms in samples])
    return {
        "requests_per_language": rounds,
        "healthz": {**health, "cpu_ms": round(1000 * health_cpu / len(health_ms), 2)},
        "all_languages": {
            **every_page,
            "ratio_p50": round(every_page["p50_ms"] / health["p50_ms"], 1),
        },
        "languages": per_language,
    }


async def bench(replies: int, rounds: int, repliers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="curbside-pages-") as root:
        fixture = await prepare(Path(root) / "node", repliers)
        log = Path(root) / "server.log"
        port = int(fixture.base_url.rsplit(":", 1)[1])
        server = start_server(fixture.folder, port, log)
        try:
            await wait_until_up(fixture.base_url, server, log)
            started = time.perf_counter()
            local_id = await build_thread(fixture, replies)
            build_seconds = time.perf_counter() - started
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as browser:
                await sign_in(browser, fixture.base_url, fixture.viewer_email)
                page_url = f"{fixture.base_url}/cases/{local_id}"
                weights = {}
                for language in SUPPORTED_LANGUAGES:
                    weights[language] = await page_weight(browser, page_url, language)
                timings = await measure(browser, fixture.base_url, local_id, server.pid, rounds)
        finally:
            stop_server(server)
    return {
        "replies": replies,
        "build_seconds": round(build_seconds, 1),
        "target_weight_bytes": TARGET_WEIGHT_BYTES,
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "timings": timings,
        "weights": weights,
    }


def run(replies: int = REPLIES, rounds: int = ROUNDS, repliers: int = REPLIERS) -> dict[str, Any]:
    return asyncio.run(bench(replies, rounds, repliers))


def report(results: dict[str, Any]) -> str:
    timings = results["timings"]
    health = timings["healthz"]
    overall = timings["all_languages"]
    lines = [
        f"### Case page with {results['replies']} replies: server time per language",
        "",
        f"One signed-in member, one request at a time, {timings['requests_per_language']} "
        "requests per language in random order, each followed by `GET /healthz` "
        f"(baseline: p50 {health['p50_ms']} ms, p99 {health['p99_ms']} ms, server CPU "
        f"{health['cpu_ms']} ms). Load average at the end: "
        f"{' / '.join(str(v) for v in results['load_average'])} on {results['cpus']} cores.",
        "",
        "| language | p50 ms | p99 ms | p50 ÷ healthz p50 | server CPU ms/page |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for language, figures in timings["languages"].items():
        lines.append(
            f"| {language} | {figures['p50_ms']} | {figures['p99_ms']} "
            f"| {figures['ratio_p50']} | {figures['cpu_ms']} |"
        )
    lines += [
        f"| all | {overall['p50_ms']} | {overall['p99_ms']} | {overall['ratio_p50']} | |",
        "",
        "### Case page weight (HTML + linked CSS and JS, no images)",
        "",
        f"Target: under {results['target_weight_bytes'] / 1000:.0f} KB, uncompressed.",
        "",
        "| language | HTML bytes | CSS + JS bytes | total bytes | gzip bytes | target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for language, weight in results["weights"].items():
        assets = sum(weight["assets"].values())
        lines.append(
            f"| {language} | {weight['html_bytes']:,} | {assets:,} | {weight['total_bytes']:,} "
            f"| {weight['gzip_bytes']:,} | {'meets' if weight['within_target'] else 'MISSES'} |"
        )
    first = next(iter(results["weights"].values()))
    listed = ", ".join(f"`{url}` {size:,} B" for url, size in first["assets"].items())
    misses = [lang for lang, weight in results["weights"].items() if not weight["within_target"]]
    verdict = f"missed in {', '.join(misses)}" if misses else "met in every language"
    lines += [
        "",
        f"Linked files: {listed}. Target {verdict}. The thread was posted through the API "
        f"in {results['build_seconds']} s.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(*(int(value) for value in sys.argv[1:3]))))
