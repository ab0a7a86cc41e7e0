"""TOTP two-factor authentication (RFC 6238, via pyotp) and recovery codes.

Secrets are stored encrypted with a key derived from the node secret. A code is
accepted for the current 30-second step and one step either side (clock drift), and
never twice: the last accepted step is remembered, so a code seen over a shoulder
or in a proxy log cannot be replayed.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from enum import StrEnum

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from node.accounts.crypto import (
    AccountKeys,
    looks_like_recovery_code,
    new_recovery_code,
)
from node.accounts.models import AccountSecurity, RecoveryCode
from node.accounts.security import ensure_security, security_of, two_factor_enabled
from node.audit.service import record
from node.members.models import Member

RECOVERY_CODES = 10
DRIFT_STEPS = 1


class SecondFactor(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery-code"


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps import (also shown as text)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def provisioning_qr_svg(uri: str, *, title: str) -> Markup:
    """The URI as a QR code, an inline SVG: the usual way to add an account to an
    authenticator app from a computer's screen (typing a 32-letter key is the other).
    Black on white whatever the page's colours, so every phone camera can read it;
    made here, never fetched from a QR service (the URI holds the secret)."""
    code = segno.make(uri, error="m")
    svg = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code", title=title
    )
    return Markup(svg)  # noqa: S704 -- segno's own SVG; it escapes the title


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept(row: AccountSecurity, secret: str, code: str, now: datetime) -> bool:
    step = _matching_step(secret, code, now)
    if step is None or (row.totp_last_step is not None and step <= row.totp_last_step):
        return False
    row.totp_last_step = step
    return True


async def begin_setup(session: AsyncSession, keys: AccountKeys, member: Member) -> str:
    """The secret being set up: kept across reloads of the set-up page, so an app that
    already scanned it keeps working; a new one only after 2FA was turned off."""
    row = await ensure_security(session, member)
    if row.totp_secret is not None and row.totp_enabled_at is None:
        return keys.open_totp(row.totp_secret)
    if two_factor_enabled(row):
        raise ValueError("two-factor authentication is already on")
    secret = pyotp.random_base32()
    row.totp_secret = keys.seal_totp(secret)
    row.totp_last_step = None
    return secret


async def pending_secret(session: AsyncSession, keys: AccountKeys, member_id: int) -> str | None:
    row = await security_of(session, member_id)
    if row is None or row.totp_secret is None or row.totp_enabled_at is not None:
        return None
    return keys.open_totp(row.totp_secret)


async def finish_setup(
    session: AsyncSession, keys: AccountKeys, member: Member, code: str, *, now: datetime
) -> list[str] | None:
    """Turn 2FA on if ``code`` proves the app has the secret; returns the new recovery
    codes (shown once), or None for a wrong code."""
    row = await security_of(session, member.id)
    if row is None or row.totp_secret is None or row.totp_enabled_at is not None:
        return None
    if not _accept(row, keys.open_totp(row.totp_secret), code, now):
        return None
    row.totp_enabled_at = now
    record(session, actor=_actor(member), action="account.2fa.enable", subject=_actor(member))
    return await replace_recovery_codes(session, keys, member, now=now)


async def check_second_factor(
    session: AsyncSession, keys: AccountKeys, member: Member, code: str, *, now: datetime
) -> SecondFactor | None:
    """Which factor ``code`` is (a TOTP code or an unused recovery code), using it up;
    None if it is neither."""
    row = await security_of(session, member.id)
    if not two_factor_enabled(row) or row is None or row.totp_secret is None:
        return None
    if _accept(row, keys.open_totp(row.totp_secret), code, now):
        return SecondFactor.TOTP
    if looks_like_recovery_code(code) and await _use_recovery_code(
        session, keys, member, code, now
    ):
        return SecondFactor.RECOVERY_CODE
    return None


async def _use_recovery_code(
    session: AsyncSession, keys: AccountKeys, member: Member, code: str, now: datetime
) -> bool:
    result = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.member_id == member.id,
            RecoveryCode.code_hash == keys.recovery_hash(member.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record(
        session, actor=_actor(member), action="account.2fa.recovery-code", subject=_actor(member)
    )
    return True


async def replace_recovery_codes(
    session: AsyncSession, keys: AccountKeys, member: Member, *, now: datetime
) -> list[str]:
    """New codes, replacing every old one; only their HMACs are kept."""
    await session.execute(delete(RecoveryCode).where(RecoveryCode.member_id == member.id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(
            member_id=member.id, code_hash=keys.recovery_hash(member.id, c), created_at=now
        )
        for c in codes
    )
    return codes


async def unused_recovery_codes(session: AsyncSession, member_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.member_id == member_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


async def disable(session: AsyncSession, member: Member) -> None:
    row = await security_of(session, member.id)
    if row is not None:
        row.totp_secret = None
        row.totp_enabled_at = None
        row.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.member_id == member.id))
    record(session, actor=_actor(member), action="account.2fa.disable", subject=_actor(member))


def _actor(member: Member) -> str:
    return f"member:{member.public_id}"
