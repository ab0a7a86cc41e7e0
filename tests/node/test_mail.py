"""Email goes through a real SMTP server (aiosmtpd), or to a folder in development."""

from __future__ import annotations

import asyncio
import socket
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from node.config import validate
from node.mail.sender import Mail, MailError, send_mail


class Collector:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_smtp_delivery_with_a_real_server(tmp_path: Path) -> None:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = validate(
            tmp_path,
            {
                "domain": "de.example",
                "country": "DE",
                "mail_delivery": "smtp",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_starttls": False,
            },
            source="t",
        )
        await send_mail(
            config,
            Mail(
                to="lena@example.org", subject="Bestätigen", text="Hallo Lena", html="<p>Hallo</p>"
            ),
        )
        for _ in range(50):
            if collector.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        controller.stop()
    [message] = collector.messages
    assert message["To"] == "lena@example.org"
    assert message["Subject"] == "Bestätigen"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "Hallo Lena" in message.get_body(preferencelist=("plain",)).get_content()


async def test_folder_delivery_by_default(tmp_path: Path) -> None:
    config = validate(tmp_path, {"domain": "de.example", "country": "DE"}, source="t")
    await send_mail(config, Mail(to="a@b.org", subject="Hi", text="Body"))
    [eml] = list((tmp_path / "mail" / "outbox").glob("*.eml"))
    assert b"Subject: Hi" in eml.read_bytes()


async def test_unreachable_server_is_a_mail_error(tmp_path: Path) -> None:
    config = validate(
        tmp_path,
        {
            "domain": "de.example",
            "country": "DE",
            "mail_delivery": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "smtp_starttls": False,
        },
        source="t",
    )
    try:
        await send_mail(config, Mail(to="a@b.org", subject="Hi", text="Body"))
    except MailError as error:
        assert "127.0.0.1" in str(error)
    else:
        raise AssertionError("expected MailError")
