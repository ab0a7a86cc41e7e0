"""Sending one email.

``mail_delivery = "smtp"`` sends through the configured server with aiosmtplib
(STARTTLS unless turned off, for a relay on localhost); ``"folder"`` writes each
message as an .eml file under ``DIR/mail/outbox`` (the default until an SMTP host is
configured), so development and demos never email anyone by accident.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import aiosmtplib

from node.config import NodeConfig


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    # A stable id lets mail clients drop a message that had to be sent twice.
    message_id: str | None = None


def build_message(config: NodeConfig, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.mail_from or f"{config.name} <no-reply@{config.domain.split(':')[0]}>"
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = mail.message_id or make_msgid(domain=config.domain.split(":")[0])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def outbox_folder(config: NodeConfig) -> Path | None:
    """The folder mail is written to instead of being sent, or None when it is sent.

    Folder delivery is the default, and also what ``smtp`` falls back to while no SMTP
    host is set: the demo prints this path so a visitor can find their confirmation.
    """
    if config.mail_delivery == "folder" or not config.smtp_host:
        return config.data_dir / "mail" / "outbox"
    return None


async def send_mail(config: NodeConfig, mail: Mail) -> None:
    message = build_message(config, mail)
    folder = outbox_folder(config)
    if folder is not None:
        _write_to_folder(folder, message)
        return
    try:
        await aiosmtplib.send(
            message,
            hostname=config.smtp_host,
            port=config.smtp_port,
            username=config.smtp_username or None,
            password=config.smtp_password or None,
            start_tls=config.smtp_starttls,
            timeout=30,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        raise MailError(
            f"could not send mail via {config.smtp_host}:{config.smtp_port}: {error}"
        ) from None


def _write_to_folder(folder: Path, message: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    (folder / f"{stamp}-{secrets.token_hex(4)}.eml").write_bytes(bytes(message))
