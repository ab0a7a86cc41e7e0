"""Verification work logs no email, licence number or name at info level."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest

from tests.node.verification.support import (
    ADA,
    BEN,
    claim,
    reviewer,
    run_import,
    standard_register,
)
from tests.node.verification.test_documents import PDF
from tests.rig import NodeNetwork


async def test_no_personal_data_in_info_logs(
    network: NodeNetwork, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    node = await network.spawn("US")
    await run_import(node, standard_register(tmp_path / "npidata.csv"))
    ada = await node.add_member(verified=False, email="ada.lovelace@us.test", name="Ada Lovelace")
    ben = await node.add_member(verified=False, email="ben.mueller@us.test", name="Ben Mueller")
    assert (await claim(node, ada, ADA, "Lovelace", "Ada"))[1]["status"] == "verified"
    assert (await claim(node, ben, BEN, "Muster", "Benno"))[1]["status"] == "pending"
    form = aiohttp.FormData()
    form.add_field("document", PDF, filename="ben-mueller-licence.pdf")
    assert (
        await node.request("POST", "/api/v1/me/verification/documents", token=ben.token, data=form)
    )[0] == 201
    moderator = await reviewer(node)
    _, queue = await node.request("GET", "/api/v1/admin/verification/claims", token=moderator.token)
    claim_id = queue["items"][0]["id"]
    await node.request(
        "GET", f"/api/v1/admin/verification/claims/{claim_id}/document", token=moderator.token
    )
    status, _ = await node.request(
        "POST",
        f"/api/v1/admin/verification/claims/{claim_id}/decision",
        token=moderator.token,
        json={"decision": "reject", "reason": "names differ from the licence card"},
    )
    assert status == 200
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any(r.getMessage() == "verification claim" for r in records)
    assert any(r.getMessage() == "verification decision" for r in records)
    text = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in records).lower()
    secrets = ["ada.lovelace@us.test", "ben.mueller@us.test", ADA, BEN, "lovelace", "muster"]
    secrets += ["benno", "mueller", "müller"]
    for secret in secrets:
        assert secret.lower() not in text, secret
