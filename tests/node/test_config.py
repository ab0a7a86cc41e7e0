"""Configuration: validation names the bad key, env overrides, consistency rules."""

from pathlib import Path

import pytest

from node.config import ConfigError, load_config, validate, write_config


def _write(folder: Path, text: str) -> None:
    (folder / "curbside.toml").write_text(text, encoding="utf-8")


BASE = 'domain = "cs.example.org"\ncountry = "DE"\n'


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    _write(tmp_path, BASE)
    config = load_config(tmp_path, environ={})
    assert config.base_url == "https://cs.example.org"
    assert config.name == "Curbside DE"
    assert config.locale == "en"
    assert config.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path / 'curbside.db'}"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('domain = "cs.example.org"\n', "country"),
        (BASE + 'country_code = "DE"\n', "country_code"),
        ('domain = "http://x.org/path"\ncountry = "DE"\n', "domain"),
        ('domain = "x.org"\ncountry = "XY"\n', "country"),
        (BASE + 'locale = "pt"\n', "locale"),
        (BASE + "listen_port = 70000\n", "listen_port"),
        (BASE + 'listen_port = "8080"\n', "listen_port"),
        (BASE + "listen_port = true\n", "listen_port"),
        (BASE + 'database_url = "mysql://x/y"\n', "database_url"),
        (BASE + 'log_format = "xml"\n', "log_format"),
        (BASE + "insecure_http = true\n", "insecure_http"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, text: str, key: str) -> None:
    _write(tmp_path, text.replace('country = "DE"\ncountry', "country"))
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load_config(tmp_path, environ={})


def test_not_toml(tmp_path: Path) -> None:
    _write(tmp_path, "domain = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path, environ={})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a Curbside data folder"):
        load_config(tmp_path, environ={})


def test_environment_overrides_file(tmp_path: Path) -> None:
    _write(tmp_path, BASE)
    env = {"CURBSIDE_LOCALE": "de", "CURBSIDE_LISTEN_PORT": "9000", "CURBSIDE_NAME": "Ärztenetz"}
    config = load_config(tmp_path, environ=env)
    assert (config.locale, config.listen_port, config.name) == ("de", 9000, "Ärztenetz")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"CURBSIDE_LISTEN_PORT": "eighty"}, "CURBSIDE_LISTEN_PORT"),
        ({"CURBSIDE_INSECURE_HTTP": "maybe"}, "CURBSIDE_INSECURE_HTTP"),
        ({"CURBSIDE_COUNTRY": "Germany"}, "'country'"),
    ],
)
def test_bad_environment_values_are_named(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    _write(tmp_path, BASE)
    with pytest.raises(ConfigError, match=needle):
        load_config(tmp_path, environ=env)


def test_insecure_http_only_on_loopback(tmp_path: Path) -> None:
    ok = validate(
        tmp_path, {"domain": "127.0.0.1:8101", "country": "US", "insecure_http": True}, source="t"
    )
    assert ok.base_url == "http://127.0.0.1:8101"
    assert (
        validate(
            tmp_path, {"domain": "[::1]:80", "country": "US", "insecure_http": True}, source="t"
        ).scheme
        == "http"
    )
    with pytest.raises(ConfigError, match="loopback"):
        validate(
            tmp_path, {"domain": "10.0.0.1", "country": "US", "insecure_http": True}, source="t"
        )


def test_postgres_url_is_pinned_to_asyncpg(tmp_path: Path) -> None:
    config = validate(
        tmp_path,
        {"domain": "x.org", "country": "FR", "database_url": "postgresql://u:p@db/curbside"},
        source="t",
    )
    assert config.sqlalchemy_url == "postgresql+asyncpg://u:p@db/curbside"


def test_written_config_reads_back(tmp_path: Path) -> None:
    config = validate(
        tmp_path, {"domain": "x.org:8443", "country": "fr", "locale": "fr"}, source="t"
    )
    write_config(config)
    assert load_config(tmp_path, environ={}) == config
