"""Between the password and the second factor: a short-lived, sealed "pending login".

No session exists until both factors are done, so a moderator who has typed only
the password can reach nothing but the second step; there is nothing to revoke if
they walk away. The cookie is encrypted with a key derived from the node secret,
lives ten minutes, and is bound to the password hash it was issued against (a
password reset in between makes it worthless).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from aiohttp import web
from cryptography.fernet import InvalidToken

from node.accounts.crypto import AccountKeys
from node.members.models import Member
from node.state import NodeState

PENDING_COOKIE = "cs_login"
PENDING_SECONDS = 600
PENDING_PATH = "/login"


@dataclass(frozen=True)
class PendingLogin:
    member_id: int
    stamp: str
    next: str


def password_stamp(member: Member) -> str:
    return hashlib.sha256((member.password_hash or "").encode()).hexdigest()[:32]


def seal_pending(keys: AccountKeys, member: Member, next_path: str) -> str:
    payload = {"m": member.id, "s": password_stamp(member), "n": next_path}
    return keys.pending_login.encrypt(json.dumps(payload).encode()).decode()


def open_pending(keys: AccountKeys, sealed: str | None) -> PendingLogin | None:
    if not sealed:
        return None
    try:
        payload = json.loads(keys.pending_login.decrypt(sealed.encode(), ttl=PENDING_SECONDS))
    except (InvalidToken, ValueError):
        return None
    return PendingLogin(
        member_id=int(payload["m"]), stamp=str(payload["s"]), next=str(payload["n"])
    )


def set_pending_cookie(response: web.StreamResponse, state: NodeState, sealed: str) -> None:
    response.set_cookie(
        PENDING_COOKIE,
        sealed,
        httponly=True,
        samesite="Lax",
        secure=not state.config.insecure_http,
        max_age=PENDING_SECONDS,
        path=PENDING_PATH,
    )


def clear_pending_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(PENDING_COOKIE, path=PENDING_PATH)
