"""The single row that says which node a database belongs to."""

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from node.db.base import Base
from node.db.types import utcnow


class NodeRecord(Base):
    """Written once by ``curbside init``; checked at every start so that a data folder
    pointed at another node's database fails loudly instead of mixing two nodes."""

    __tablename__ = "node"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
