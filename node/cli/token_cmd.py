"""``curbside token DIR --email E``: print a new bearer token for a member."""

from __future__ import annotations

import argparse
import asyncio

from node.cli.common import add_data_dir, load, with_database
from node.cli.errors import CliError
from node.db.engine import Database
from node.members.service import find_member_by_email, issue_token


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside token`` (node.cli.main names it and gives its help)."""
    add_data_dir(parser)
    parser.add_argument("--email", required=True)
    parser.add_argument("--label", default="cli", help="a note to recognise the token by")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load(args)

    async def work(db: Database) -> str:
        async with db.write() as session:
            member = await find_member_by_email(session, args.email)
            if member is None:
                raise CliError(f"no member with email {args.email.strip().lower()}")
            return await issue_token(session, member, label=args.label, actor="cli")

    print(asyncio.run(with_database(config, work)))
    return 0
