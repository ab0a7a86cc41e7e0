"""Signing in: password check with throttling, then (if needed) the second factor.

What happens after a right password depends on the account: an unconfirmed email
stops there; two-factor members and every moderator/admin continue to a second
step (set-up first, for a moderator or admin who has none); everyone else gets a
session at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web
from argon2 import PasswordHasher

from node.accounts.security import (
    email_confirmed,
    requires_two_factor,
    security_of,
    two_factor_enabled,
)
from node.accounts.throttle import Limit, address_key, signup_key
from node.members.models import Member
from node.members.passwords import verify_password_off_loop
from node.members.service import find_member_by_email
from node.state import NodeState
from node.web.sessions import SESSION_COOKIE, SESSION_LIFETIME, start_session

# Checked when the email is unknown, so that a wrong address costs the same time as
# a wrong password and response times do not reveal who has an account.
_DUMMY_HASH = PasswordHasher().hash("curbside: no such account")


class Next(StrEnum):
    SESSION = "session"
    UNCONFIRMED = "unconfirmed"
    TWO_FACTOR = "two-factor"
    SETUP_TWO_FACTOR = "setup-two-factor"


@dataclass(frozen=True)
class PasswordResult:
    member: Member | None
    next: Next | None  # None: wrong email or password


def _window(state: NodeState) -> float:
    return state.config.login_throttle_minutes * 60.0


def wait_seconds(state: NodeState, request: web.Request, *keys: str) -> float | None:
    """How long this client must wait before trying again, if at all."""
    config = state.config
    limits = [Limit(address_key(request.remote), config.login_failures_per_address)]
    limits += [Limit(key, config.login_failures_per_account) for key in keys]
    return state.login_throttle.retry_after(limits, _window(state))


def wait_minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def record_failure(state: NodeState, request: web.Request, *keys: str) -> None:
    state.login_throttle.failed([address_key(request.remote), *keys], _window(state))


def begin_attempt(state: NodeState, request: web.Request, *keys: str) -> float | None:
    """How long the client must wait, or None: then the attempt is counted as failed
    at once, before anything awaits, and ``attempt_succeeded`` takes it back. Counted
    only after the check, as before, a burst of concurrent attempts all passed the
    check before any was counted (23 codes tried where 5 were allowed)."""
    wait = wait_seconds(state, request, *keys)
    if wait is None:
        record_failure(state, request, *keys)
    return wait


def begin_signup(state: NodeState, request: web.Request) -> float | None:
    """How long this client must wait before signing up again, or None: then this
    sign-up is counted (each costs a password hash and a mail to any address), per
    client address, with the sign-in limit per address and the same window."""
    key = signup_key(request.remote)
    limit = [Limit(key, state.config.login_failures_per_address)]
    wait = state.login_throttle.retry_after(limit, _window(state))
    if wait is None:
        state.login_throttle.failed([key], _window(state))
    return wait


def attempt_succeeded(state: NodeState, request: web.Request, *keys: str) -> None:
    """The attempt ``begin_attempt`` counted was right: the address's count forgets it,
    and the account's earlier failures go (as a correct password always cleared them)."""
    state.login_throttle.withdraw([address_key(request.remote)])
    for key in keys:
        state.login_throttle.clear(key)


async def check_password(state: NodeState, email: str, password: str) -> PasswordResult:
    async with state.db.read() as session:
        member = await find_member_by_email(session, email) if email else None
        row = await security_of(session, member.id) if member is not None else None
    if member is None or member.password_hash is None:
        await verify_password_off_loop(_DUMMY_HASH, password)
        return PasswordResult(None, None)
    if not await verify_password_off_loop(member.password_hash, password):
        return PasswordResult(member, None)
    if not email_confirmed(row):
        return PasswordResult(member, Next.UNCONFIRMED)
    if two_factor_enabled(row):
        return PasswordResult(member, Next.TWO_FACTOR)
    if requires_two_factor(member):
        return PasswordResult(member, Next.SETUP_TWO_FACTOR)
    return PasswordResult(member, Next.SESSION)


async def open_session(state: NodeState, request: web.Request, member: Member) -> str:
    async with state.db.write() as session:
        return await start_session(
            session, member, user_agent=request.headers.get("User-Agent", "")
        )


def set_session_cookie(response: web.StreamResponse, state: NodeState, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        state.session_keys.seal(token),
        httponly=True,
        samesite="Lax",
        secure=not state.config.insecure_http,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
