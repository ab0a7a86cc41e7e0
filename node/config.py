"""Node configuration: a TOML file in the data folder, overridable by CURBSIDE_* variables.

Every setting is declared once in ``SETTINGS`` with its type and check, so that the
file, the environment and ``curbside init`` all go through the same validation and a
bad value is reported with the name of the key that holds it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Final

import tomli_w
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from i18n.languages import SUPPORTED_LANGUAGES
from i18n.regions import is_country_code

CONFIG_FILE: Final = "curbside.toml"
ENV_PREFIX: Final = "CURBSIDE_"
SQLITE_FILE: Final = "curbside.db"
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class ConfigError(ValueError):
    """A setting is missing or invalid. The message names the key."""


@dataclass(frozen=True)
class NodeConfig:
    """Validated settings of one node. ``data_dir`` is where the file was read from."""

    data_dir: Path
    domain: str
    country: str
    name: str
    locale: str = "en"
    database_url: str | None = None
    insecure_http: bool = False
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    max_body_bytes: int = 1024 * 1024
    inbox_max_bytes: int = 256 * 1024
    log_level: str = "info"
    log_format: str = "json"
    view_report_seconds: float = 60.0
    metrics_max_age_seconds: float = 60.0
    image_max_bytes: int = 10 * 1024 * 1024
    attestation_sync_seconds: float = 5.0
    image_max_pixels: int = 40_000_000
    images_per_case: int = 10
    mail_delivery: str = "folder"
    mail_from: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    verification_document_max_bytes: int = 10 * 1024 * 1024
    verification_document_retention_days: int = 30
    verification_claims_per_day: int = 10
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_throttle_minutes: int = 15
    email_confirmation_hours: int = 48
    password_reset_minutes: int = 60
    digest_hour: int = 7
    digest_weekday: str = "monday"
    digest_check_seconds: float = 300.0
    notification_heartbeat_seconds: float = 25.0

    @property
    def scheme(self) -> str:
        return "http" if self.insecure_http else "https"

    @property
    def base_url(self) -> str:
        """The node's public origin, e.g. ``https://curbside.example.org``."""
        return f"{self.scheme}://{self.domain}"

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL; the embedded SQLite file lives in the data folder."""
        if self.database_url is None:
            return f"sqlite+aiosqlite:///{self.data_dir / SQLITE_FILE}"
        return self.database_url

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"


# --- per-setting checks -------------------------------------------------------------


def check_domain(value: str) -> str:
    """``HOST[:PORT]`` as peers will address us; lower-cased, no scheme or path.

    IPv6 literals need brackets (``[::1]:8101``), as in a URL.
    """
    text = value.strip().lower()
    if "/" in text or "@" in text:
        raise ValueError(f"{value!r} is not HOST or HOST:PORT (no scheme, no path)")
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            raise ValueError(f"{value!r} is not HOST or HOST:PORT")
        port = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{value!r} does not hold an IPv6 address in brackets") from None
        host = f"[{host}]"
    else:
        host, _, port = text.partition(":")
        if not _is_ip_address(host) and not _HOSTNAME.match(host):
            raise ValueError(f"{value!r} is not HOST or HOST:PORT (no scheme, no path)")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise ValueError(f"port {port!r} is not a number between 1 and 65535")
    return f"{host}:{port}" if port else host


def split_domain(domain: str) -> tuple[str, int | None]:
    """(host, port) of a checked domain; IPv6 hosts keep their brackets."""
    if domain.startswith("["):
        host, _, rest = domain.partition("]")
        return host + "]", int(rest[1:]) if rest else None
    host, _, port = domain.partition(":")
    return host, int(port) if port else None


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def check_country(value: str) -> str:
    code = value.strip().upper()
    if not is_country_code(code):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def check_locale(value: str) -> str:
    if value not in SUPPORTED_LANGUAGES:
        raise ValueError(f"{value!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    return value


def normalise_database_url(value: str) -> str:
    """Accept the usual spellings and pin the async drivers Curbside ships with."""
    try:
        url: URL = make_url(value)
    except ArgumentError:
        raise ValueError(f"{value!r} is not a database URL") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")
    return url.render_as_string(hide_password=False)


def check_name(value: str) -> str:
    name = value.strip()
    if not 0 < len(name) <= 100:
        raise ValueError("must be 1 to 100 characters")
    return name


def check_port(value: int) -> int:
    if not 0 < value < 65536:
        raise ValueError("must be between 1 and 65535")
    return value


def check_positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be positive")
    return value


def check_not_negative(value: float) -> float:
    if value < 0:
        raise ValueError("must be zero or more")
    return value


def check_range(low: int, high: int) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return check


def check_choice(*choices: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return check


@dataclass(frozen=True)
class Setting:
    kind: type
    check: Callable[[Any], Any] | None = None
    required: bool = False


SETTINGS: Final[Mapping[str, Setting]] = {
    "domain": Setting(str, check_domain, required=True),
    "country": Setting(str, check_country, required=True),
    "name": Setting(str, check_name),
    "locale": Setting(str, check_locale),
    "database_url": Setting(str, normalise_database_url),
    "insecure_http": Setting(bool),
    "listen_host": Setting(str),
    "listen_port": Setting(int, check_port),
    "max_body_bytes": Setting(int, check_positive),
    "inbox_max_bytes": Setting(int, check_positive),
    "log_level": Setting(str, check_choice("debug", "info", "warning", "error")),
    "log_format": Setting(str, check_choice("json", "text")),
    "view_report_seconds": Setting(float, check_positive),
    "metrics_max_age_seconds": Setting(float, check_not_negative),  # 0: computed per view
    "image_max_bytes": Setting(int, check_positive),
    "attestation_sync_seconds": Setting(float, check_positive),
    "image_max_pixels": Setting(int, check_positive),
    "images_per_case": Setting(int, check_positive),
    "mail_delivery": Setting(str, check_choice("folder", "smtp")),
    "mail_from": Setting(str),
    "smtp_host": Setting(str),
    "smtp_port": Setting(int, check_port),
    "smtp_username": Setting(str),
    "smtp_password": Setting(str),
    "smtp_starttls": Setting(bool),
    "verification_document_max_bytes": Setting(int, check_positive),
    "verification_document_retention_days": Setting(int, check_positive),
    "verification_claims_per_day": Setting(int, check_positive),
    # Sign-in throttling (accounts): failed attempts allowed per account and per client
    # address within login_throttle_minutes before further attempts must wait (429).
    "login_failures_per_account": Setting(int, check_positive),
    "login_failures_per_address": Setting(int, check_positive),
    "login_throttle_minutes": Setting(int, check_positive),
    "email_confirmation_hours": Setting(int, check_positive),  # sign-up confirmation link life
    "password_reset_minutes": Setting(int, check_positive),  # password reset link life
    # Email digests go out at this hour (UTC), weekly ones on this day (notifications).
    "digest_hour": Setting(int, check_range(0, 23)),
    "digest_weekday": Setting(str, check_choice(*WEEKDAYS)),
    "digest_check_seconds": Setting(float, check_positive),  # how often the digest job looks
    "notification_heartbeat_seconds": Setting(float, check_positive),  # live unread count
}


def _from_env_string(key: str, kind: type, raw: str) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{ENV_PREFIX}{key.upper()}: {raw!r} is not true or false")
    if kind is float:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key.upper()}: {raw!r} is not a number") from None
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key.upper()}: {raw!r} is not a whole number") from None
    return raw


def validate(data_dir: Path, values: Mapping[str, Any], *, source: str) -> NodeConfig:
    """Check raw values (from a file, the environment or the CLI) and build the config."""
    clean: dict[str, Any] = {}
    for key, raw in values.items():
        setting = SETTINGS.get(key)
        if setting is None:
            raise ConfigError(f"{source}: unknown setting {key!r}")
        if setting.kind is float and isinstance(raw, int) and not isinstance(raw, bool):
            raw = float(raw)  # TOML writes 60 for sixty seconds; that is a fine float
        # bool is a subclass of int: keep `listen_port = true` from passing as 1.
        if not isinstance(raw, setting.kind) or (setting.kind is int and isinstance(raw, bool)):
            raise ConfigError(f"{source}: {key!r} must be {setting.kind.__name__}, got {raw!r}")
        try:
            clean[key] = setting.check(raw) if setting.check else raw
        except ValueError as error:
            raise ConfigError(f"{source}: {key!r} {error}") from None
    for key, setting in SETTINGS.items():
        if setting.required and key not in clean:
            raise ConfigError(f"{source}: missing required setting {key!r}")
    clean.setdefault("name", f"Curbside {clean['country']}")
    config = NodeConfig(data_dir=data_dir, **clean)
    _check_consistency(config, source)
    return config


def _check_consistency(config: NodeConfig, source: str) -> None:
    if config.insecure_http and not _is_loopback(config.domain):
        raise ConfigError(
            f"{source}: 'insecure_http' is only allowed for loopback test networks, "
            f"not for domain {config.domain!r}"
        )


def _is_loopback(domain: str) -> bool:
    host = split_domain(domain)[0].strip("[]")
    return host == "localhost" or (_is_ip_address(host) and ipaddress.ip_address(host).is_loopback)


def load_config(data_dir: Path, environ: Mapping[str, str] | None = None) -> NodeConfig:
    """Read ``DIR/curbside.toml`` and apply ``CURBSIDE_*`` overrides."""
    environ = os.environ if environ is None else environ
    path = data_dir / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"{data_dir} is not a Curbside data folder (no {CONFIG_FILE})")
    try:
        values: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    config = validate(data_dir, values, source=str(path))
    overrides = {
        key: _from_env_string(key, setting.kind, environ[ENV_PREFIX + key.upper()])
        for key, setting in SETTINGS.items()
        if ENV_PREFIX + key.upper() in environ
    }
    if not overrides:
        return config
    merged = {**values, **overrides}
    return validate(data_dir, merged, source=f"{path} with {ENV_PREFIX}* overrides")


def config_values(config: NodeConfig) -> dict[str, Any]:
    """What ``init`` writes: every setting that differs from its default."""
    defaults = NodeConfig(data_dir=config.data_dir, domain="", country="", name="")
    out: dict[str, Any] = {}
    for field in fields(NodeConfig):
        if field.name == "data_dir":
            continue
        value = getattr(config, field.name)
        if field.name in ("domain", "country", "name") or value != getattr(defaults, field.name):
            out[field.name] = value
    return out


def write_config(config: NodeConfig) -> Path:
    path = config.data_dir / CONFIG_FILE
    header = "# Curbside node settings. Each key can be overridden by CURBSIDE_<KEY>.\n"
    path.write_text(header + tomli_w.dumps(config_values(config)), encoding="utf-8")
    return path


def with_data_dir(config: NodeConfig, data_dir: Path) -> NodeConfig:
    return replace(config, data_dir=data_dir)
