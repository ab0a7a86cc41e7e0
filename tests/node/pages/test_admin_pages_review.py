"""The review queue: why a claim needs a reviewer, the document (download only, audited),
verify or reject with a reason; admins suspend, revoke and restore members."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from node.members.models import Member, Role
from tests.node.accounts.support import PASSWORD
from tests.node.pages.test_admin_pages import audit, signed_in, staff, text_of
from tests.node.verification.support import (
    ADA,
    claim,
    claimant,
    member_status,
    run_import,
    standard_register,
)
from tests.node.verification.test_documents import PDF, upload
from tests.rig import Account, NodeNetwork, TestNode


async def pending(node: TestNode, name: str, licence: str, family: str, given: str) -> Account:
    account = await claimant(node, name=name, password=PASSWORD)
    status, body = await claim(node, account, licence, family, given)
    assert (status, body["claim"]["state"]) == (201, "pending"), body
    return account


def status_choices(html: str) -> list[str]:
    return re.findall(r'name="status" value="(\w+)"', html)


def claim_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/admin/verification/claims/(\d+)/decision"', html)]


async def test_a_claim_is_verified_from_the_queue_and_audited(
    network: NodeNetwork, tmp_path: Path
) -> None:
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "npidata.csv"))
    babbage = await pending(node, "Charles Babbage", ADA, "Babbage", "Charles")
    assert (await upload(node, babbage, PDF))[0] == 201
    unknown = await pending(node, "Nobody Known", "1234567893", "Known", "Nobody")
    reviewer = await staff(node, Role.MODERATOR, name="Rita Reviewer")

    async with signed_in(node, reviewer, Role.MODERATOR) as browser:
        _, overview, _ = await browser.get("/admin")
        assert "2 claims waiting for review" in text_of(overview)
        status, html, _ = await browser.get("/admin/verification")
        assert status == 200
        text = text_of(html)
        assert "Charles Babbage" in text and babbage.email in text
        assert "The family name differs from the register's entry." in text
        assert "LOVELACE" in text  # reviewers see the register's spelling
        assert "The number is not in any register this node imported." in text
        first, second = claim_ids(html)
        document = f"/admin/verification/claims/{first}/document"
        assert f'href="{document}" download' in html
        assert "None sent yet" in text  # the second claim has no document

        # The document comes as a download, only to reviewers, and each look is audited.
        status, body, response = await browser.get(document)
        assert status == 200 and body.startswith("%PDF-")
        assert response.headers["Content-Disposition"] == "attachment"
        assert response.content_type == "application/pdf"
        [look] = await audit(node, "verification.document.view")
        assert look.actor == f"member:{reviewer.public_id}"
        status, html, _ = await browser.get(f"/admin/verification/claims/{second}/document")
        assert status == 404 and "none was sent" in html

        # A reason is required; then the decision is recorded.
        status, html, _ = await browser.post(
            f"/admin/verification/claims/{first}/decision",
            {"decision": "verify", "reason": "  "},
            form_page="/admin/verification",
        )
        assert status == 422 and "Give a reason" in html
        assert await member_status(node, babbage.public_id) == "pending"
        status, _, response = await browser.post(
            f"/admin/verification/claims/{first}/decision",
            {"decision": "verify", "reason": "licence scan matches; name changed at marriage"},
            form_page="/admin/verification",
        )
        assert status == 302
        assert response.headers["Location"] == "/admin/verification?notice=verified"
        assert await member_status(node, babbage.public_id) == "verified"
        _, html, _ = await browser.get("/admin/verification?notice=verified")
        assert "The member is verified." in html
        assert claim_ids(html) == [second]
        _, html, _ = await browser.get("/admin/verification?state=accepted")
        assert "licence scan matches" in html and f'id="claim-{first}"' in html

        # Deciding it again is refused with a clear message.
        status, html, _ = await browser.post(
            f"/admin/verification/claims/{first}/decision",
            {"decision": "reject", "reason": "changed my mind"},
            form_page="/admin/verification",
        )
        assert status == 409 and "already decided" in html
        status, _, _ = await browser.post(
            f"/admin/verification/claims/{second}/decision",
            {"decision": "reject", "reason": "no such licence anywhere"},
            form_page="/admin/verification",
        )
        assert status == 302
        assert await member_status(node, unknown.public_id) == "rejected"

        # The audit log names the reviewer and the reason.
        _, html, _ = await browser.get("/admin/audit?action=verification.verify")
        text = text_of(html)
        assert "Rita Reviewer" in text and "Charles Babbage" in text
        assert "licence scan matches; name changed at marriage" in text

    [verified] = await audit(node, "verification.verify")
    assert (verified.actor, verified.subject, verified.reason) == (
        f"member:{reviewer.public_id}",
        f"member:{babbage.public_id}",
        "licence scan matches; name changed at marriage",
    )

    async with signed_in(node, babbage, Role.MEMBER) as browser:  # verified now, not staff
        assert (await browser.get("/admin/verification"))[0] == 403
        assert (await browser.get(document))[0] == 403


async def test_admins_change_a_members_status_with_a_reason(network: NodeNetwork) -> None:
    node = await network.spawn("US")
    doctor = await node.add_member(name="Dora Doctor")
    moderator = await staff(node, Role.MODERATOR)
    admin = await staff(node, Role.ADMIN, name="Ada Admin")
    revoked = await node.add_member(name="Rex Revoked")
    waiting = await pending(node, "Nobody Known", "1234567893", "Known", "Nobody")
    refused = await node.add_member(name="Rita Rejected", verified=False)
    async with node.state.db.write() as session:
        member = await session.scalar(select(Member).where(Member.public_id == refused.public_id))
        assert member is not None
        member.status = "rejected"
    page = f"/admin/members/{doctor.public_id}"

    async with signed_in(node, moderator, Role.MODERATOR) as browser:
        assert (await browser.get(page))[0] == 403
        status, _, _ = await browser.post(
            page + "/status", {"status": "suspended", "reason": "test"}, form_page="/admin"
        )
        assert status == 403
    assert await member_status(node, doctor.public_id) == "verified"

    async with signed_in(node, admin, Role.ADMIN) as browser:
        _, html, _ = await browser.get("/admin/members?q=dora")
        assert f'href="{page}"' in html and "Dora Doctor" in html
        _, html, _ = await browser.get("/admin/members?q=nobody-like-this")
        assert "No member matches." in html

        # Only what the member's status allows is offered.
        assert status_choices((await browser.get(page))[1]) == ["suspended", "revoked"]
        status, html, _ = await browser.post(
            page + "/status", {"status": "suspended", "reason": ""}, form_page=page
        )
        assert status == 422 and "Give a reason" in html
        # Restoring a member who is not suspended is not a move the state graph has.
        status, html, _ = await browser.post(
            page + "/status", {"status": "verified", "reason": "restore"}, form_page=page
        )
        assert status == 409
        assert "This change is not possible from the member's current status, “Verified”" in (
            text_of(html)
        )
        status, _, response = await browser.post(
            page + "/status",
            {"status": "suspended", "reason": "licence under review"},
            form_page=page,
        )
        assert (status, response.headers["Location"]) == (302, page + "?notice=suspended")
        assert await member_status(node, doctor.public_id) == "suspended"
        _, html, _ = await browser.get(page + "?notice=suspended")
        assert "The member is suspended." in html
        assert status_choices(html) == ["revoked", "verified"]
        status, _, _ = await browser.post(
            page + "/status", {"status": "verified", "reason": "cleared"}, form_page=page
        )
        assert status == 302
        assert await member_status(node, doctor.public_id) == "verified"

        _, html, _ = await browser.get(f"/admin/members/{waiting.public_id}")
        assert status_choices(html) == []
        assert "their claim is decided in the review queue" in text_of(html)
        _, html, _ = await browser.get(f"/admin/members/{refused.public_id}")
        assert status_choices(html) == []
        assert "claim was rejected. They can file a new one" in text_of(html)
        gone = f"/admin/members/{revoked.public_id}"
        status, _, _ = await browser.post(
            gone + "/status", {"status": "revoked", "reason": "struck off"}, form_page=gone
        )
        assert status == 302
        _, html, _ = await browser.get(gone)
        assert status_choices(html) == []
        assert "A revoked verification is final" in text_of(html)

        own = f"/admin/members/{admin.public_id}"
        status, html, _ = await browser.post(
            own + "/status", {"status": "revoked", "reason": "testing"}, form_page=own
        )
        assert status == 403 and "Another admin must change your own status." in html
        assert (await browser.get("/admin/members/no-such-member"))[0] == 404

    changes = [(e.action, e.actor, e.reason) for e in await audit(node, "verification.suspend")]
    assert changes == [
        ("verification.suspend", f"member:{admin.public_id}", "licence under review")
    ]


async def test_names_as_typed_stay_in_order_on_a_right_to_left_page(network: NodeNetwork) -> None:
    node = await network.spawn("DE", locale="he")
    await pending(node, "Katrin Müller", "1234567893", "Müller", "Katrin")
    reviewer = await staff(node, Role.MODERATOR)

    async with signed_in(node, reviewer, Role.MODERATOR) as browser:
        status, html, _ = await browser.get("/admin/verification")
        assert status == 200 and 'dir="rtl"' in html
        # One isolate around the pair: two would be laid out right to left, comma and
        # all, and read "Katrin ,Müller" in Hebrew.
        assert "<bdi>Müller, Katrin</bdi>" in html
