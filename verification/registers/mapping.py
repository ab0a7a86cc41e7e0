"""The TOML file that tells the generic CSV reader how a register is laid out.

Example, for a Dutch BIG-register export::

    delimiter = ";"          # default ","
    encoding = "utf-8"       # any ASCII-compatible codec: utf-8, cp1252, latin-1...
    quoting = true           # default true; false when quotes are plain characters

    [columns]
    licence_id = "BIG-nummer"
    family_name = "Achternaam"
    given_names = "Voornamen"
    # or one name column:  full_name = "Naam"  and  name_order = "family_first"
    specialty = "Specialisme"        # optional
    credential = "Beroep"            # optional

    [active]                         # optional; without it every row is active
    column = "Status"
    values = ["Actief"]              # or: inactive_values = ["Doorgehaald"]

    [filter]                         # optional; keep only rows with these values
    column = "Beroep"
    values = ["Arts"]

Values in [active] and [filter] are compared without case or surrounding spaces.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verification.registers.base import RegisterFormatError, StrPath, check_ascii_compatible


class MappingError(RegisterFormatError):
    """The mapping file is missing something or says something impossible."""


@dataclass(frozen=True, slots=True)
class ValueRule:
    """A column whose value must (or must not) be one of a set."""

    column: str
    values: frozenset[str]  # case-folded
    inverted: bool = False  # True: the row qualifies when the value is NOT listed

    def accepts(self, value: str) -> bool:
        return (value.strip().casefold() in self.values) != self.inverted


@dataclass(frozen=True, slots=True)
class CsvMapping:
    licence_id: str
    family_name: str | None = None
    given_names: str | None = None
    full_name: str | None = None
    family_first: bool = True  # only for full_name
    specialty: str | None = None
    credential: str | None = None
    active: ValueRule | None = None
    filter: ValueRule | None = None
    delimiter: str = ","
    encoding: str = "utf-8"
    quoting: bool = True

    @classmethod
    def load(cls, path: StrPath) -> CsvMapping:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{path}: not valid TOML: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CsvMapping:
        _only(data, {"delimiter", "encoding", "quoting", "columns", "active", "filter"}, "")
        columns = _table(data, "columns")
        if columns is None:
            raise MappingError("the mapping needs a [columns] table")
        _only(
            columns,
            {"licence_id", "family_name", "given_names", "full_name", "name_order"}
            | {"specialty", "credential"},
            "columns.",
        )
        licence_id = _text(columns, "licence_id")
        if licence_id is None:
            raise MappingError("[columns] needs licence_id")
        family, given, full = (
            _text(columns, key) for key in ("family_name", "given_names", "full_name")
        )
        if full is not None and (family or given):
            raise MappingError("[columns] has full_name and family_name/given_names; pick one")
        if full is None and family is None:
            raise MappingError("[columns] needs family_name (and given_names) or full_name")
        order = _text(columns, "name_order") or "family_first"
        if order not in ("family_first", "given_first"):
            raise MappingError("columns.name_order must be 'family_first' or 'given_first'")
        delimiter = _text(data, "delimiter") or ","
        if len(delimiter) != 1 or not delimiter.isascii() or delimiter in '"\r\n':
            raise MappingError("delimiter must be one ASCII character other than a quote")
        encoding = _text(data, "encoding") or "utf-8"
        try:
            check_ascii_compatible(encoding)
        except RegisterFormatError as exc:
            raise MappingError(f"encoding: {exc}") from None
        quoting = data.get("quoting", True)
        if not isinstance(quoting, bool):
            raise MappingError("quoting must be true or false")
        return cls(
            licence_id=licence_id,
            family_name=family,
            given_names=given,
            full_name=full,
            family_first=order == "family_first",
            specialty=_text(columns, "specialty"),
            credential=_text(columns, "credential"),
            active=_active_rule(_table(data, "active")),
            filter=_filter_rule(_table(data, "filter")),
            delimiter=delimiter,
            encoding=encoding,
            quoting=quoting,
        )

    def columns(self) -> list[str]:
        """Every column the mapping reads, so a wrong header fails before row 1."""
        named = [self.licence_id, self.family_name, self.given_names, self.full_name]
        named += [self.specialty, self.credential]
        named += [rule.column for rule in (self.active, self.filter) if rule]
        return [name for name in named if name is not None]


def _active_rule(table: dict[str, Any] | None) -> ValueRule | None:
    if table is None:
        return None
    _only(table, {"column", "values", "inactive_values"}, "active.")
    if ("values" in table) == ("inactive_values" in table):
        raise MappingError("[active] needs exactly one of values or inactive_values")
    inverted = "inactive_values" in table
    key = "inactive_values" if inverted else "values"
    return ValueRule(_column(table, "active"), _values(table, key, "active"), inverted)


def _filter_rule(table: dict[str, Any] | None) -> ValueRule | None:
    if table is None:
        return None
    _only(table, {"column", "values"}, "filter.")
    return ValueRule(_column(table, "filter"), _values(table, "values", "filter"))


def _column(table: dict[str, Any], name: str) -> str:
    column = _text(table, "column")
    if column is None:
        raise MappingError(f"[{name}] needs column")
    return column


def _values(table: dict[str, Any], key: str, name: str) -> frozenset[str]:
    values = table.get(key)
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise MappingError(f"{name}.{key} must be a non-empty list of strings")
    return frozenset(value.strip().casefold() for value in values)


def _table(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is not None and not isinstance(value, dict):
        raise MappingError(f"{key} must be a table ([{key}])")
    return value


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise MappingError(f"{key} must be a non-empty string")
    return value.strip() if value else None


def _only(data: dict[str, Any], allowed: set[str], prefix: str) -> None:
    # A misspelt key ("licence_number") would otherwise be silently ignored.
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise MappingError(f"unknown mapping keys: {', '.join(prefix + key for key in unknown)}")
