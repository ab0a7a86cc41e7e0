"""The declarative base every feature's models derive from."""

from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import JSON, MetaData, Table
from sqlalchemy.orm import DeclarativeBase

from node.db.types import UTCDateTime

# Stable constraint names, so migrations can drop or alter them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """The Core table of a model. Executed with a list of rows, a Core insert goes out
    as a few multi-row statements ("insertmanyvalues"), without the ORM's bookkeeping
    for each row: what bulk paths (the inbox, received cases) use."""
    return cast(Table, model.__table__)
