"""``curbside members add DIR --email E --name TEXT --specialty CODE ...``"""

from __future__ import annotations

import argparse
import asyncio

from pydantic import ValidationError

from node.cli.common import add_data_dir, load, with_database
from node.cli.errors import CliError
from node.db.engine import Database
from node.members.models import Role
from node.members.service import MemberExists, NewMember, add_member


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``curbside members`` (node.cli.main names it and gives its help)."""
    actions = parser.add_subparsers(dest="members_action", required=True, parser_class=type(parser))
    add = actions.add_parser("add", help="add a member")
    add_data_dir(add)
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--specialty", required=True, metavar="CODE")
    add.add_argument("--licence", metavar="ID")
    add.add_argument("--password", metavar="P")
    add.add_argument("--verified", action="store_true", help="mark as verified (operator vouches)")
    add.add_argument("--role", choices=[role.value for role in Role], default=Role.MEMBER.value)
    add.set_defaults(run=run_add)
    reveal = actions.add_parser("reveal", help="who is behind a pseudonym (audited; give a reason)")
    add_data_dir(reveal)
    reveal.add_argument("--pseudonym", required=True, metavar="HANDLE", help="e.g. anon-k2jq8v0x4m")
    reveal.add_argument("--reason", required=True, help="why; kept in the audit log")
    reveal.set_defaults(run=run_reveal)


def validation_message(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"])
    return f"--{field}: {first['msg'].removeprefix('Value error, ')}"


def run_add(args: argparse.Namespace) -> int:
    config = load(args)
    try:
        new = NewMember(
            email=args.email,
            name=args.name,
            specialty=args.specialty,
            licence=args.licence,
            password=args.password,
            verified=args.verified,
            role=Role(args.role),
        )
    except ValidationError as error:
        raise CliError(validation_message(error)) from None

    async def work(db: Database) -> str:
        try:
            async with db.write() as session:
                member = await add_member(session, new, actor="cli")
                return member.public_id
        except (MemberExists, ValueError) as error:
            raise CliError(str(error)) from None

    public_id = asyncio.run(with_database(config, work))
    print(public_id)
    return 0


def run_reveal(args: argparse.Namespace) -> int:
    # Imported here: it brings in the case and moderation code and the
    # de-identification patterns (over a second of CPU), which the other members
    # commands do not need.
    from node.cli.reveal_cmd import reveal

    config = load(args)

    async def work(db: Database) -> str:
        found = await reveal(db, config, args.pseudonym.strip(), args.reason)
        return f"{found.name} <{found.email}> ({found.specialty}), member {found.public_id}"

    print(asyncio.run(with_database(config, work)))
    return 0
