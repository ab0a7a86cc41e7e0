"""Signing up: a pending member whose email must be confirmed before they can sign in.

Whether the address already has an account never shows in the answer: both cases
do the same work (a password hash, one mail) and the page says the same thing. The
existing account's owner gets a "you already have an account" mail instead.

An address signed up again before it was confirmed may have been signed up by
someone else first, who knows the password they chose: had confirming kept it, the
address's owner would confirm an account its squatter can sign in to. So a second
sign-up leaves the account with no password, whether or not a new mail goes out (a
squatter could use up the hourly links first), and whoever follows a link (only the
mailbox's owner can) chooses the password right after confirming. The details stay
those of the first sign-up, so a stranger cannot rewrite the owner's; the page where
the password is chosen shows them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from i18n.languages import SUPPORTED_LANGUAGES
from node.accounts.mails import already_registered_mail, confirmation_mail
from node.accounts.models import AccountSecurity, TokenPurpose
from node.accounts.security import ensure_security, security_of
from node.accounts.tokens import (
    LinkProblem,
    LinkRefused,
    issue_link,
    links_sent_since,
    use_link,
    used_link_member,
)
from node.audit.service import record
from node.mail.sender import Mail
from node.members.models import Member
from node.members.passwords import hash_password_off_loop
from node.members.service import NewMember, add_member, find_member_by_email
from node.state import NodeState

SIGNUP_ACTOR = "signup"
# Confirmation mails per account per hour, however they are asked for.
CONFIRMATIONS_PER_HOUR = 3


class SignUp(NewMember):
    """The sign-up form: NewMember's checks (email, name, specialty, password policy)
    plus the UI language."""

    password: str = Field(min_length=1)
    language: str

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError("unsupported language")
        return value


async def sign_up(state: NodeState, form: SignUp, *, now: datetime) -> list[Mail]:
    """Create the pending member (or not, if the address is taken); the mails to send."""
    password_hash = await hash_password_off_loop(form.password)  # outside the write
    hours = state.config.email_confirmation_hours
    try:
        async with state.db.write() as session:
            existing = await find_member_by_email(session, form.email)
            if existing is not None:
                return await _mail_for_existing(state, session, existing, now=now)
            member = await add_member(
                session,
                NewMember(email=form.email, name=form.name, specialty=form.specialty),
                actor=SIGNUP_ACTOR,
            )
            member.password_hash = password_hash
            member.locale = form.language
            session.add(AccountSecurity(member_id=member.id, email_confirmed_at=None))
            token = await issue_link(
                session,
                member,
                TokenPurpose.CONFIRM_EMAIL,
                now=now,
                lifetime=timedelta(hours=hours),
            )
    except IntegrityError:
        # The same address signed up twice at the same moment: the first one won.
        return []
    return [
        confirmation_mail(
            state, to=member.email, name=member.name, locale=member.locale, token=token, hours=hours
        )
    ]


async def _mail_for_existing(
    state: NodeState, session: AsyncSession, member: Member, *, now: datetime
) -> list[Mail]:
    """Signing up again before confirming gets a fresh link, and no password (see
    above); a confirmed account's owner gets a reminder."""
    row = await security_of(session, member.id)
    if row is None or row.email_confirmed_at is not None:
        return [
            already_registered_mail(state, to=member.email, name=member.name, locale=member.locale)
        ]
    if member.password_hash is not None:
        member.password_hash = None
        subject = f"member:{member.public_id}"
        record(session, actor=SIGNUP_ACTOR, action="account.signup.again", subject=subject)
    return await _confirmation(state, session, member, now=now)


async def _confirmation(
    state: NodeState, session: AsyncSession, member: Member, *, now: datetime
) -> list[Mail]:
    sent = await links_sent_since(
        session, member.id, TokenPurpose.CONFIRM_EMAIL, now - timedelta(hours=1)
    )
    if sent >= CONFIRMATIONS_PER_HOUR:
        return []
    hours = state.config.email_confirmation_hours
    token = await issue_link(
        session, member, TokenPurpose.CONFIRM_EMAIL, now=now, lifetime=timedelta(hours=hours)
    )
    return [
        confirmation_mail(
            state, to=member.email, name=member.name, locale=member.locale, token=token, hours=hours
        )
    ]


async def resend_confirmation(state: NodeState, email: str, *, now: datetime) -> list[Mail]:
    """A new link for an unconfirmed account; nothing for any other address."""
    async with state.db.write() as session:
        member = await find_member_by_email(session, email) if email else None
        if member is None:
            return []
        row = await security_of(session, member.id)
        if row is None or row.email_confirmed_at is not None:
            return []
        return await _confirmation(state, session, member, now=now)


async def confirm_email(state: NodeState, token: str, *, now: datetime) -> str | None:
    """Use a confirmation link; raises tokens.LinkRefused for a bad one. For an account
    with no password (signed up again, see above), the password-reset token with which
    to choose one at once; else None.

    A link already used still leads there while the account has no password: a mail
    gateway that opens links to scan them would otherwise use it up, and leave its
    owner a confirmed account they cannot get into."""
    async with state.db.write() as session:
        try:
            member = await use_link(session, token, TokenPurpose.CONFIRM_EMAIL, now=now)
        except LinkRefused as refused:
            if refused.problem is not LinkProblem.USED:
                raise
            used = await used_link_member(session, token, TokenPurpose.CONFIRM_EMAIL, now=now)
            if used is None or used.password_hash is not None:
                raise
            member = used
        await mark_confirmed(session, member, now=now)
        if member.password_hash is not None:
            return None
        minutes = state.config.password_reset_minutes
        return await issue_link(
            session,
            member,
            TokenPurpose.RESET_PASSWORD,
            now=now,
            lifetime=timedelta(minutes=minutes),
        )


async def mark_confirmed(session: AsyncSession, member: Member, *, now: datetime) -> None:
    row = await ensure_security(session, member)
    if row.email_confirmed_at is None:
        row.email_confirmed_at = now
        subject = f"member:{member.public_id}"
        record(session, actor=subject, action="account.email.confirm", subject=subject)
