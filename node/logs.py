"""Structured logs: one JSON object per line, tagged with the node and request id.

The request id lives in a context variable, so every log line written while handling
a request carries it, however deep the call; several nodes in one process are told
apart by the ``node`` field their loggers add.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("curbside_request_id", default=None)

# Attributes every LogRecord has; anything else was passed with extra= and is logged.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        node = getattr(record, "node", None)
        request_id = getattr(record, "request_id", None)
        prefix = " ".join(part for part in (node, request_id and f"[{request_id}]") if part)
        line = super().format(record)
        return f"{prefix} {line}" if prefix else line


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """Process-wide logging set-up, called once by the CLI (never by create_app)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's access log would record client IP addresses; we log requests ourselves.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic narrates every migration step at info; keep that out of the node's log.
    logging.getLogger("alembic").setLevel(logging.WARNING)


class NodeLogger(logging.LoggerAdapter[logging.Logger]):
    """Adds the node's domain to every record, keeping the caller's own ``extra``
    (the standard adapter replaces it before Python 3.13)."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return msg, kwargs


def node_logger(domain: str, name: str = "curbside") -> NodeLogger:
    return NodeLogger(logging.getLogger(name), {"node": domain})
