"""``curbside peers add|list|remove DIR ...``: the allowlist of peer nodes."""

from __future__ import annotations

import argparse
import asyncio
import json

import aiohttp

from federation.signatures.keys import fingerprint as key_fingerprint
from federation.transport import DEFAULT_TIMEOUT, SigningKey
from node.cli.common import add_data_dir, load, with_database
from node.cli.errors import CliError
from node.config import NodeConfig
from node.db.engine import Database
from node.identity.keys import load_key
from node.peers.service import PeerError, add_peer, fetch_node_actor, list_peers, remove_peer


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside peers`` (node.cli.main names it and gives its help)."""
    actions = parser.add_subparsers(dest="peers_action", required=True, parser_class=type(parser))
    add = actions.add_parser("add", help="trust a peer node (fetches its actor, shows its key)")
    add_data_dir(add)
    add.add_argument(
        "url", metavar="URL", help="the peer's base URL, e.g. https://curbside.example.de"
    )
    add.add_argument(
        "--fingerprint", metavar="FP", help="abort unless the peer's key has this fingerprint"
    )
    add.set_defaults(run=run_add)
    show = actions.add_parser("list", help="list peers with their keys and delivery health")
    add_data_dir(show)
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(run=run_list)
    remove = actions.add_parser("remove", help="stop federating with a peer, at once")
    add_data_dir(remove)
    remove.add_argument("url", metavar="URL")
    remove.set_defaults(run=run_remove)


async def _add(config: NodeConfig, url: str, expected: str | None) -> str:
    key = load_key(config.keys_dir)
    signing_key = SigningKey(key_id=key.key_id(config.base_url), private_key=key.private_key)
    async with aiohttp.ClientSession(timeout=DEFAULT_TIMEOUT) as http:
        actor = await fetch_node_actor(http, url, signing_key)
    fingerprint = key_fingerprint(actor.public_key)
    if expected is not None and expected.strip() != fingerprint:
        raise CliError(f"{actor.origin} has key {fingerprint}, not {expected.strip()}; not added")

    async def work(db: Database) -> str:
        async with db.write() as session:
            peer = await add_peer(session, actor, own_origin=config.base_url, actor_label="cli")
            return (
                f"added {peer.origin} ({peer.name}, {peer.country or '??'}) key {peer.fingerprint}"
            )

    return await with_database(config, work)


def run_add(args: argparse.Namespace) -> int:
    config = load(args)
    try:
        print(asyncio.run(_add(config, args.url, args.fingerprint)))
    except PeerError as error:
        raise CliError(str(error)) from None
    print("federation with it is active once its operator adds this node too:")
    own = load_key(config.keys_dir).fingerprint
    print(f"  curbside peers add DIR {config.base_url} --fingerprint {own}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    config = load(args)

    async def work(db: Database) -> list[dict[str, object]]:
        async with db.read() as session:
            return [
                {
                    "origin": peer.origin,
                    "name": peer.name,
                    "country": peer.country,
                    "fingerprint": peer.fingerprint,
                    "added_at": peer.added_at.isoformat(),
                    "mutual": peer.mutual,
                    "pending": peer.pending,
                    "failures": peer.failures,
                    "unreachable": peer.unreachable,
                    "next_attempt_at": peer.next_attempt_at.isoformat()
                    if peer.next_attempt_at
                    else None,
                    "last_success_at": peer.last_success_at.isoformat()
                    if peer.last_success_at
                    else None,
                    "last_error": peer.last_error,
                }
                for peer in await list_peers(session)
            ]

    peers = asyncio.run(with_database(config, work))
    if args.json:
        print(json.dumps(peers, indent=2))
        return 0
    if not peers:
        print("no peers")
    for peer in peers:
        health = (
            "unreachable"
            if peer["unreachable"]
            else (f"{peer['failures']} failures" if peer["failures"] else "ok")
        )
        mutual = "mutual" if peer["mutual"] else "not yet mutual"
        print(
            f"{peer['origin']}  {peer['country'] or '??'}  {peer['fingerprint']}  {mutual}  "
            f"pending {peer['pending']}  {health}"
        )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    config = load(args)

    async def work(db: Database) -> bool:
        async with db.write() as session:
            return await remove_peer(session, args.url, actor_label="cli")

    try:
        removed = asyncio.run(with_database(config, work))
    except PeerError as error:
        raise CliError(str(error)) from None
    if not removed:
        raise CliError(f"{args.url} is not a peer")
    print(f"removed {args.url}")
    return 0
