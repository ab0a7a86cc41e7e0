"""``curbside token DIR --email E``: print a new bearer token for a member; with
``--revoke-all``, revoke every token the member holds instead (a lost laptop, a
member leaving), and print how many."""

from __future__ import annotations

import argparse
import asyncio

from node.audit.service import record
from node.cli.common import add_data_dir, load, with_database
from node.cli.errors import CliError
from node.db.engine import Database
from node.members.service import find_member_by_email, issue_token, revoke_tokens


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside token`` (node.cli.main names it and gives its help)."""
    add_data_dir(parser)
    parser.add_argument("--email", required=True)
    parser.add_argument("--label", default="cli", help="a note to recognise the token by")
    parser.add_argument(
        "--revoke-all",
        action="store_true",
        help="revoke every API token of the member instead of issuing one",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load(args)

    async def work(db: Database) -> str:
        async with db.write() as session:
            member = await find_member_by_email(session, args.email)
            if member is None:
                raise CliError(f"no member with email {args.email.strip().lower()}")
            if args.revoke_all:
                revoked = await revoke_tokens(session, member.id)
                subject = f"member:{member.public_id}"
                details = {"tokens_revoked": revoked}
                record(
                    session, actor="cli", action="token.revoke", subject=subject, details=details
                )
                return f"revoked {revoked} token{'' if revoked == 1 else 's'}"
            return await issue_token(session, member, label=args.label, actor="cli")

    print(asyncio.run(with_database(config, work)))
    return 0
