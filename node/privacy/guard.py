"""Scan what an author wrote; refuse it while identifying details remain.

A finding blocks posting unless the author acknowledged it (same kind and text) as
not identifying — the detector errs on the side of caution, so an eponym or a drug
name it misreads must not stop a physician. Acknowledged findings are kept for the
node's moderators to look at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from i18n.translate import gettext
from node.api.problems import Problem
from node.deid import scan
from node.privacy.models import AcknowledgedFinding
from node.privacy.schemas import Acknowledgement, FieldFinding


def findings_in(fields: Mapping[str, str], language: str) -> list[FieldFinding]:
    found: list[FieldFinding] = []
    for name, text in fields.items():
        for finding in scan(text, language):
            found.append(
                FieldFinding(
                    field=name,
                    start=finding.start,
                    end=finding.end,
                    kind=finding.kind,
                    text=finding.text,
                )
            )
    return found


def check(
    fields: Mapping[str, str], language: str, acknowledged: Sequence[Acknowledgement]
) -> list[FieldFinding]:
    """The acknowledged findings; Problem 422 listing the others if any remain."""
    allowed = {(ack.kind, ack.text) for ack in acknowledged}
    found = findings_in(fields, language)
    blocking = [finding for finding in found if (finding.kind, finding.text) not in allowed]
    if blocking:
        raise Problem(
            422,
            gettext(
                "This text may identify a patient. Remove or change the highlighted details, "
                "or confirm each one is not identifying."
            ),
            slug="identifying-details",
            findings=[finding.model_dump() for finding in blocking],
        )
    return [finding for finding in found if (finding.kind, finding.text) in allowed]


def record_acknowledged(
    session: AsyncSession, object_iri: str, findings: Sequence[FieldFinding], member_id: int
) -> None:
    for finding in findings:
        session.add(
            AcknowledgedFinding(
                object_iri=object_iri,
                field=finding.field,
                kind=finding.kind,
                text=finding.text[:300],
                member_id=member_id,
            )
        )
