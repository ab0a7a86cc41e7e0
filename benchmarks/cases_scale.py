"""Cases at scale: 100,000 cases and 1,000,000 replies in one node, 20 clients at once.

Generates the data straight into a fresh node's database with bulk inserts (SQLAlchemy
Core executemany over the real tables, so the full-text triggers index everything as
they would in production), then starts the node in a child process (``curbside
serve``) so that the load generator here does not share its event loop, and measures
latency under 20 concurrent keep-alive clients, each a different verified member:

- case API: ``GET /api/v1/cases/{local_id}`` of random cases (mostly a member's first
  look, which also counts a view: a write);
- list API: ``GET /api/v1/cases``: the first page, a specialty filter, a page deep in
  the feed (``before``);
- search: ``GET /api/v1/search`` (cases with highlighted excerpts and matching
  replies) and ``GET /api/v1/cases?q=`` for a mix of rare, ordinary and very common
  words, two-word queries, phrases, prefixes and filters;
- metrics: ``GET /api/v1/metrics`` (one client; it aggregates the whole database).

Targets (issue 4): p99 < 50 ms for the case and list APIs, p99 < 150 ms for search.
Text is drawn from a Zipf-distributed vocabulary of clinical words and made-up ones,
so a few words are in most documents and most words are rare, as in real text.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from node.cases.models import Case, CaseSpecialty, CaseView, Reply
from node.config import SQLITE_FILE, NodeConfig, load_config
from node.db.engine import Database
from node.db.migrate import upgrade
from node.lifecycle import initialise_node
from node.members.models import Member
from node.members.service import NewMember, add_member, issue_token
from node.runner import port_for_another_process

CASES = 100_000
REPLIES = 1_000_000
CLIENTS = 20
REQUESTS_PER_CLIENT = 50
SCENARIO_SECONDS = 90.0  # at most this long per scenario under 20 clients
CHUNK = 5_000
TARGET_API_P99_MS = 50.0
TARGET_SEARCH_P99_MS = 150.0
SPECIALTIES: tuple[str, ...] = (
    *("pediatrics", "nephrology", "cardiology", "neurology", "infectious-diseases"),
    *("dermatology", "gastroenterology", "internal-medicine", "oncology", "surgery"),
)
LANGUAGES = ("en",) * 10 + ("de",) * 3 + ("fr",) * 3 + ("es", "it", "nl", "sv", "pl", "he")
PEERS = ("DE", "FR", "IT", "ES", "NL", "SE", "PL", "IL", "GR")
CLINICAL: tuple[str, ...] = (
    "fever", "cough", "rash", "pain", "swelling", "fatigue", "anaemia", "jaundice", "syncope",
    "seizure", "headache", "dyspnoea", "oedema", "haematuria", "proteinuria", "creatinine",
    "troponin", "ferritin", "lactate", "sodium", "potassium", "kidney", "liver", "heart", "lung",
    "brain", "spleen", "thyroid", "adrenal", "pancreas", "bowel", "skin", "joint", "bone",
    "marrow", "nephritis", "hepatitis", "myocarditis", "pneumonia", "meningitis", "encephalitis",
    "vasculitis", "arthritis", "colitis", "sarcoidosis", "amyloidosis", "lupus", "tuberculosis",
    "sepsis", "lymphoma", "leukaemia", "melanoma", "glioma", "myeloma", "ultrasound", "biopsy",
    "echocardiogram", "tomography", "resonance", "culture", "serology", "antibody", "complement",
    "steroid", "methotrexate", "rituximab", "antibiotic", "heparin", "warfarin", "insulin",
    "diuretic", "immunoglobulin", "infant", "toddler", "child", "adolescent", "adult",
    "pregnant", "elderly", "recurrent", "chronic", "acute", "progressive", "bilateral",
    "unilateral", "painful", "painless", "intermittent", "nocturnal", "postprandial",
    "exertional", "thrombosis", "embolism", "aneurysm", "stenosis", "fistula", "abscess", "cyst",
    "nodule", "mass", "effusion", "infarction", "kawasaki", "behcet", "wegener", "takayasu",
    "guillain", "barre", "stevens", "johnson", "cushing", "addison", "graves", "hashimoto",
    "crohn", "whipple", "wilson", "gaucher", "fabry", "pompe", "marfan", "ehlers", "danlos",
    "turner", "noonan",
)  # fmt: skip


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Clinical words first (the commonest), then made-up words."""
    syllables = [c + v for c in "bcdfgklmnprstvz" for v in "aeiou"]
    made_up: set[str] = set()
    while len(made_up) < size - len(CLINICAL):
        made_up.add("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    return [*CLINICAL, *sorted(made_up)]


class Writer:
    """Random clinical-looking text, Zipf-distributed (rank r has weight 1/r)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        weights = [1 / (rank + 1) for rank in range(len(self.words))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def text(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=count))


def _rows(
    n_cases: int, n_replies: int, base_url: str, members: list[tuple[int, str]], seed: int
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """("cases" | "specialties" | "replies", rows) chunks, in insertion order."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    writer = Writer(rng)
    now = datetime.now(UTC)
    start = now - timedelta(days=730)
    step = timedelta(days=730) / n_cases
    # Thread lengths: exponential around the mean, topped up to exactly n_replies.
    lengths = [min(60, int(rng.expovariate(1 / (n_replies / n_cases)))) for _ in range(n_cases)]
    while (missing := n_replies - sum(lengths)) != 0:
        index = rng.randrange(n_cases)
        lengths[index] = max(0, lengths[index] + (1 if missing > 0 else -1))
    reply_id = 0
    for first in range(0, n_cases, CHUNK):
        cases, specialties, replies = [], [], []
        for case_id in range(first + 1, min(first + CHUNK, n_cases) + 1):
            local = rng.random() < 0.4
            origin = base_url if local else f"https://{rng.choice(PEERS).lower()}.curbside.example"
            member_id, public_id = rng.choice(members)
            author = f"{origin}/members/{public_id if local else rng.randrange(5000)}"
            created = start + step * case_id
            count = lengths[case_id - 1]
            resolved = count > 0 and rng.random() < 0.6
            cases.append(
                {
                    "id": case_id,
                    "iri": f"{origin}/cases/c{case_id:015d}",
                    "local_id": f"c{case_id:015d}",
                    "origin": origin,
                    "is_local": local,
                    "author_iri": author,
                    "author_member_id": member_id if local else None,
                    "anonymous": rng.random() < 0.2,
                    "author_name": "Dr Bench",
                    "author_specialty": rng.choice(SPECIALTIES),
                    "author_country": "US" if local else origin[8:10].upper(),
                    "title": writer.text(5, 10)[:200],
                    "body": writer.text(60, 160),
                    "question": writer.text(8, 20),
                    "language": rng.choice(LANGUAGES),
                    "audience": "federated",
                    "status": "resolved" if resolved else "open",
                    "reply_count": count,
                    "created_at": created,
                    "resolved_at": created + timedelta(hours=rng.lognormvariate(2.5, 1))
                    if resolved
                    else None,
                    "found_what_needed": rng.random() < 0.85 if resolved else None,
                    "network_view_count": rng.randrange(500),
                    "local_view_count": rng.randrange(50),
                }
            )
            for position, code in enumerate(rng.sample(SPECIALTIES, rng.randint(1, 3))):
                specialties.append({"case_id": case_id, "code": code, "position": position})
            moment = created
            for position in range(1, count + 1):
                reply_id += 1
                moment += timedelta(minutes=rng.lognormvariate(4.0, 1.2))
                replies.append(
                    {
                        "id": reply_id,
                        "iri": f"{origin}/replies/r{reply_id:015d}",
                        "local_id": f"r{reply_id:015d}",
                        "case_id": case_id,
                        "origin": origin,
                        "is_local": local,
                        "author_iri": f"{origin}/members/{rng.randrange(5000)}",
                        "anonymous": rng.random() < 0.2,
                        "author_name": "Dr Reply",
                        "author_specialty": rng.choice(SPECIALTIES),
                        "author_country": "US" if local else origin[8:10].upper(),
                        "content": writer.text(15, 70),
                        "position": position,
                        "helpful_count": rng.randrange(5),
                        "created_at": moment,
                        "signed_note": "{}",
                    }
                )
        yield "cases", cases
        yield "specialties", specialties
        yield "replies", replies


TABLES: dict[str, Table] = {
    "cases": Case.__table__,  # type: ignore[dict-item]
    "specialties": CaseSpecialty.__table__,  # type: ignore[dict-item]
    "replies": Reply.__table__,  # type: ignore[dict-item]
}


async def generate(
    db: Database, n_cases: int, n_replies: int, base_url: str, members: list[tuple[int, str]]
) -> float:
    """Bulk-load the cases and replies; returns the seconds it took."""
    started = time.perf_counter()
    async with db.write_connection() as connection:
        if db.is_sqlite:
            # The load is one transaction: with the default 2 MB page cache SQLite
            # spills b-tree pages to the WAL over and over; 512 MB keeps them in memory.
            await connection.execute(text("PRAGMA cache_size=-524288"))
        for kind, rows in _rows(n_cases, n_replies, base_url, members, seed=2024):
            if rows:
                await connection.execute(insert(TABLES[kind]), rows)
        if not db.is_sqlite:  # explicit ids: move the sequences past them
            for table in ("cases", "replies"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                await connection.execute(
                    text(f"SELECT setval({sequence}, max(id)) FROM {table}")  # noqa: S608 - fixed names
                )
    async with db.write_connection() as connection:
        await connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


# --- the node, its members, and its server process -------------------------------


async def create_node(folder: Path, port: int, database_url: str | None) -> NodeConfig:
    values: dict[str, Any] = {
        "domain": f"127.0.0.1:{port}",
        "country": "US",
        "insecure_http": True,
        "log_level": "warning",
    }
    if database_url:
        values["database_url"] = database_url
    return await initialise_node(folder, values)


async def create_members(db: Database, count: int) -> tuple[list[tuple[int, str]], list[str]]:
    """``count`` verified members: (id, public_id) of each, and a token for each."""
    members, tokens = [], []
    async with db.write() as session:
        for n in range(count):
            member = await add_member(
                session,
                NewMember(
                    email=f"bench{n}@us.test",
                    name=f"Bench Doctor {n}",
                    specialty=SPECIALTIES[n % len(SPECIALTIES)],
                    verified=True,
                ),
                actor="benchmark",
            )
            tokens.append(await issue_token(session, member, label="bench", actor="benchmark"))
            members.append((member.id, member.public_id))
    return members, tokens


def start_server(folder: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``curbside serve`` in a child process, so the server has its own interpreter.
    Its log goes to a file: a pipe nobody reads would block it once full."""
    with log.open("wb") as sink:
        return subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "node", "serve", str(folder), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


async def wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    async with aiohttp.ClientSession() as client:
        for _ in range(600):
            if server.poll() is not None:
                error = (await asyncio.to_thread(log.read_text, errors="replace")).strip()[-500:]
                raise RuntimeError(f"the node did not start: {error}")
            try:
                async with client.get(base_url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the node did not answer /healthz within a minute")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the load ---------------------------------------------------------------------


def search_queries(rng: random.Random, n_cases: int) -> list[dict[str, str]]:
    """A mix of what members type: rare, ordinary and very common words, pairs,
    phrases, prefixes, filters."""
    words = vocabulary(random.Random(2024))  # noqa: S311 - the generator's own vocabulary
    common, ordinary, rare = words[:20], words[100:600], words[2000:]
    queries: list[dict[str, str]] = []
    for _ in range(40):
        queries += [
            {"q": rng.choice(rare)},
            {"q": rng.choice(ordinary)},
            {"q": f"{rng.choice(ordinary)} {rng.choice(ordinary)}"},
            {"q": f"{rng.choice(common)} {rng.choice(ordinary)}"},
            {"q": f'"{rng.choice(ordinary)} {rng.choice(common)}"'},
            {"q": rng.choice(ordinary)[:4] + "*"},
            {"q": rng.choice(ordinary), "specialty": rng.choice(SPECIALTIES)},
            {"q": rng.choice(ordinary), "status": "resolved", "language": "en"},
            {"q": rng.choice(common)},
        ]
    rng.shuffle(queries)
    return queries


def scenarios(rng: random.Random, n_cases: int) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Per scenario, the requests (path, query) the clients take turns sending."""
    total = CLIENTS * REQUESTS_PER_CLIENT

    def case_id() -> str:
        return f"c{rng.randint(1, n_cases):015d}"

    lists: list[tuple[str, dict[str, str]]] = []
    for n in range(total):
        kind = n % 4
        if kind == 0:
            lists.append(("/api/v1/cases", {}))
        elif kind == 1:
            lists.append(("/api/v1/cases", {"specialty": rng.choice(SPECIALTIES)}))
        elif kind == 2:
            lists.append(("/api/v1/cases", {"before": case_id()}))
        else:
            lists.append(("/api/v1/cases", {"status": "open", "language": "de"}))
    queries = search_queries(rng, n_cases)
    return {
        "case API": [(f"/api/v1/cases/{case_id()}", {}) for _ in range(total)],
        "list API": lists,
        "search API": [("/api/v1/search", queries[n % len(queries)]) for n in range(total)],
        "list API with q": [("/api/v1/cases", queries[n % len(queries)]) for n in range(total)],
    }


async def measure(
    base_url: str,
    tokens: list[str],
    requests: list[tuple[str, dict[str, str]]],
    seconds: float,
) -> dict[str, Any]:
    """Latency of each request under ``len(tokens)`` concurrent clients (one token
    each). No request is started after ``seconds``: a slow scenario then reports
    fewer requests instead of running for an hour."""
    latencies: list[float] = []
    failures = 0
    queue = list(reversed(requests))
    deadline = time.perf_counter() + seconds

    async def client(token: str) -> None:
        nonlocal failures
        headers = {"Authorization": f"Bearer {token}"}
        connector = aiohttp.TCPConnector(limit=1)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(
            connector=connector, headers=headers, timeout=timeout
        ) as session:
            while queue and time.perf_counter() < deadline:
                path, params = queue.pop()
                started = time.perf_counter()
                async with session.get(base_url + path, params=params) as response:
                    await response.read()
                    if response.status != 200:
                        failures += 1
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client(token) for token in tokens))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "failures": failures,
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        "per_s": round(len(ordered) / elapsed, 1),
    }


async def metrics_timing(base_url: str, token: str, runs: int = 5) -> dict[str, Any]:
    """Computed: each run asks for another period length, so none is served from the
    minute's cache (node/metrics/cache.py); kept: the first length asked again."""

    async def timed(session: aiohttp.ClientSession, days: int) -> float:
        started = time.perf_counter()
        async with session.get(base_url + "/api/v1/metrics", params={"days": str(days)}) as r:
            await r.read()
            assert r.status == 200, r.status
        return (time.perf_counter() - started) * 1000

    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        times = [await timed(session, 30 - run) for run in range(runs)]
        kept = [await timed(session, 30) for _ in range(runs)]
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "kept_p50_ms": round(statistics.median(kept), 1),
    }


def server_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of the server process so far (Linux), else None."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def prepare(
    folder: Path, database: str, n_cases: int, n_replies: int, database_url: str | None
) -> tuple[NodeConfig, list[str], float]:
    """A node folder with the data (generated now, or by an earlier run that kept it,
    see CURBSIDE_BENCH_DATA), tokens for the clients, and the generation time."""
    marker = folder / "generated.json"
    if marker.exists():
        config = load_config(folder)
        recorded = json.loads(marker.read_text())
        if (recorded["cases"], recorded["replies"]) != (n_cases, n_replies):
            raise RuntimeError(
                f"{folder} holds {recorded['cases']:,} cases and {recorded['replies']:,} "
                f"replies, not {n_cases:,} and {n_replies:,}: use another CURBSIDE_BENCH_DATA"
            )
        db = Database(config.sqlalchemy_url)
        try:
            await upgrade(db)  # data kept from a run of an older Curbside
            async with db.write() as session:
                bench_members = select(Member).where(Member.email.like("bench%@us.test"))
                tokens = [
                    await issue_token(session, member, label="bench", actor="benchmark")
                    for member in await session.scalars(bench_members.order_by(Member.id))
                ]
                # The request mix is the same every run: without this, the case API
                # would measure repeat looks (no view to count) instead of first ones.
                await session.execute(
                    delete(CaseView).where(
                        CaseView.member_id.in_(bench_members.with_only_columns(Member.id))
                    )
                )
        finally:
            await db.close()
        return config, tokens, float(recorded["seconds"])
    port = port_for_another_process()  # the node runs in a child process
    folder.parent.mkdir(parents=True, exist_ok=True)
    config = await create_node(folder, port, database_url)
    db = Database(config.sqlalchemy_url)
    try:
        members, tokens = await create_members(db, CLIENTS)
        seconds = await generate(db, n_cases, n_replies, config.base_url, members)
    finally:
        await db.close()
    marker.write_text(json.dumps({"seconds": seconds, "cases": n_cases, "replies": n_replies}))
    print(f"{database}: generated in {seconds:.0f} s", file=sys.stderr, flush=True)
    return config, tokens, seconds


async def run_scenarios(
    base_url: str, tokens: list[str], server: subprocess.Popen[bytes], n_cases: int, label: str
) -> dict[str, Any]:
    rng = random.Random(7)  # noqa: S311 - a reproducible request mix
    results: dict[str, Any] = {}
    for name, requests in scenarios(rng, n_cases).items():
        budget = scenario_seconds()
        await measure(base_url, tokens[:CLIENTS], requests[: CLIENTS * 5], budget / 4)  # warm-up
        # Alone first (service time), then 20 clients at once (with queueing).
        alone = await measure(base_url, tokens[:1], requests[-100:], budget / 2)
        cpu_before = server_cpu_seconds(server.pid)
        figures = await measure(base_url, tokens[:CLIENTS], requests, budget)
        cpu_after = server_cpu_seconds(server.pid)
        if cpu_before is not None and cpu_after is not None:
            spent = cpu_after - cpu_before
            figures["server_cpu_ms"] = round(1000 * spent / figures["requests"], 2)
        figures["alone_requests"] = alone["requests"]
        figures["alone_p50_ms"] = alone["p50_ms"]
        figures["alone_p99_ms"] = alone["p99_ms"]
        results[name] = figures
        print(f"{label}: {name} {figures}", file=sys.stderr, flush=True)
    results["metrics API"] = await metrics_timing(base_url, tokens[0])
    return results


async def bench(
    database: str, n_cases: int, n_replies: int, database_url: str | None = None
) -> dict[str, Any]:
    kept = os.environ.get("CURBSIDE_BENCH_DATA")
    with tempfile.TemporaryDirectory(prefix="curbside-scale-") as root:
        folder = Path(kept) / database if kept else Path(root) / "node"
        config, tokens, seconds = await prepare(folder, database, n_cases, n_replies, database_url)
        size = (folder / SQLITE_FILE).stat().st_size if database == "sqlite" else None
        log = Path(root) / "server.log"
        port = int(config.domain.rsplit(":", 1)[1])
        server = start_server(folder, port, log)
        try:
            await wait_until_up(config.base_url, server, log)
            results = await run_scenarios(config.base_url, tokens, server, n_cases, database)
        finally:
            stop_server(server)
        return {
            "database": database,
            "cases": n_cases,
            "replies": n_replies,
            "generate_seconds": round(seconds, 1),
            "generate_rows_per_s": round((n_cases + n_replies) / seconds),
            "database_bytes": size,
            "clients": CLIENTS,
            "scenarios": results,
        }


def scale(variable: str = "CURBSIDE_BENCH_SCALE") -> float:
    """CURBSIDE_BENCH_SCALE: a fraction of the issue's 100,000 cases / 1,000,000 replies
    (generating the full set takes 10-25 minutes per database on a busy 2-core box);
    CURBSIDE_BENCH_POSTGRES_SCALE, if set, for the PostgreSQL run alone."""
    value = float(os.environ.get(variable) or os.environ.get("CURBSIDE_BENCH_SCALE") or "1")
    if not 0 < value <= 10:
        raise ValueError(f"CURBSIDE_BENCH_SCALE must be in (0, 10], not {value}")
    return value


def scenario_seconds() -> float:
    """CURBSIDE_BENCH_SCENARIO_SECONDS: the time budget of each scenario."""
    return float(os.environ.get("CURBSIDE_BENCH_SCENARIO_SECONDS", SCENARIO_SECONDS))


def run(cases: int | None = None, replies: int | None = None) -> dict[str, Any]:
    cases = cases if cases is not None else round(CASES * scale())
    replies = replies if replies is not None else round(REPLIES * scale())
    runs = [asyncio.run(bench("sqlite", cases, replies))]
    postgres_url = os.environ.get("CURBSIDE_BENCH_POSTGRES_URL")
    if postgres_url:
        factor = scale("CURBSIDE_BENCH_POSTGRES_SCALE")
        pg_cases, pg_replies = round(CASES * factor), round(REPLIES * factor)
        try:
            runs.append(asyncio.run(bench("postgresql", pg_cases, pg_replies, postgres_url)))
        except (OSError, RuntimeError, SQLAlchemyError, aiohttp.ClientError) as error:
            # Keep the SQLite figures (minutes of work) and say what went wrong.
            runs.append({"database": "postgresql", "error": f"{type(error).__name__}: {error}"})
    return {
        "target_cases": CASES,
        "target_replies": REPLIES,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "target_api_p99_ms": TARGET_API_P99_MS,
        "target_search_p99_ms": TARGET_SEARCH_P99_MS,
        "scenario_seconds": scenario_seconds(),
        "cpus": os.cpu_count(),
        "runs": runs,
    }


def _target(results: dict[str, Any], scenario: str) -> float:
    searching = "search" in scenario or "with q" in scenario
    return float(results["target_search_p99_ms" if searching else "target_api_p99_ms"])


def report(results: dict[str, Any]) -> str:
    lines = []
    wanted = results.get("target_cases", CASES), results.get("target_replies", REPLIES)
    if "load_average" in results:
        loads = " / ".join(str(value) for value in results["load_average"])
        lines += [f"Load average at the end of the run: {loads} on {results['cpus']} cores.", ""]
    for run_ in results["runs"]:
        if "error" in run_:
            lines += [f"### {run_['database']}: the run failed", "", f"`{run_['error']}`", ""]
            continue
        size = run_["database_bytes"]
        lines += [
            f"### {run_['database']}: {run_['cases']:,} cases, {run_['replies']:,} replies",
            "",
        ]
        if run_.get("note"):
            # A run carried over from an earlier measurement says so.
            lines += [f"_{run_['note']}_", ""]
        lines += [
            f"Generated in {run_['generate_seconds']} s "
            f"({run_['generate_rows_per_s']:,} rows/s, full-text index included)"
            + (f"; database file {size / 1e9:.2f} GB." if size else "."),
            "",
        ]
        if (run_["cases"], run_["replies"]) < wanted:
            lines += [
                f"**Reduced scale**: the issue asks for {wanted[0]:,} cases and "
                f"{wanted[1]:,} replies (`CURBSIDE_BENCH_SCALE`).",
                "",
            ]
        lines += [
            f"| scenario | alone p50 / p99 ms | {run_['clients']} clients p50 ms | p99 ms "
            "| max ms | requests | req/s | server CPU ms/req | target p99 | verdict |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, figures in run_["scenarios"].items():
            if name == "metrics API":
                continue
            target = _target(results, name)
            ok = figures["p99_ms"] < target and not figures["failures"]
            lines.append(
                f"| {name} | {figures['alone_p50_ms']} / {figures['alone_p99_ms']} "
                f"| {figures['p50_ms']} | {figures['p99_ms']} | {figures['max_ms']} "
                f"| {figures['requests']} | {figures['per_s']} "
                f"| {figures.get('server_cpu_ms', 'n/a')} "
                f"| < {target:.0f} | {'meets' if ok else 'MISSES'} |"
            )
        metrics = run_["scenarios"]["metrics API"]
        lines += [
            "",
            f"Metrics API (whole database, one client): computed p50 {metrics['p50_ms']} ms, "
            f"max {metrics['max_ms']} ms over {metrics['runs']} runs"
            + (
                f"; served from the minute's cache p50 {metrics['kept_p50_ms']} ms."
                if "kept_p50_ms" in metrics
                else "."
            ),
            "",
        ]
    lines.append(
        "“Alone”: one client, requests one after another (the service time). "
        f"“{CLIENTS} clients”: each sends its next request as soon as the last one is "
        "answered, so latency includes queueing behind the others; on a node that "
        "serves one request at a time that is roughly 20 × the service time. Each "
        f"scenario stops starting requests after "
        f"{results.get('scenario_seconds', scenario_seconds()):.0f} s "
        "(`CURBSIDE_BENCH_SCENARIO_SECONDS`), hence the request counts. Server CPU is "
        "the node process's alone: PostgreSQL's own work (the server named by "
        "`CURBSIDE_BENCH_POSTGRES_URL`, on the same machine) is not in it."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:3]]
    print(report(run(*arguments)))
