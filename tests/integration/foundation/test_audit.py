"""`verify` on a real log: honest passes; edits, removals, forged checkpoints and edited
read-model rows are each found and named."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import asyncpg
import pytest
from nats.aio.client import Client as NATS
from nats.js.api import StreamConfig

from shared.audit.checkpoints import Checkpointer
from shared.audit.verdict import (
    verify_kecamatan_log,
    verify_read_models,
    verify_stream,
    verify_streams,
)
from shared.infra.local import Endpoints
from shared.log.canonical import canonical_bytes, chain_hash
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.log.signing import Signer
from shared.readside.projection import ProjectorSettings
from shared.readside.service import ReadSide
from shared.tenancy import AggregateRef, Tenant, stream_name, stream_subjects
from tests.support import TALLY_SQL, TallyProjection, tally, tally_ref

pytestmark = pytest.mark.integration
SECRET = "audit-secret"


async def history(nc: NATS, kab: str, values: list[int]) -> AggregateRef:
    await tally(nc, kab, values, "c1")
    return tally_ref(kab, "c1")


async def stored(nc: NATS, kab: str) -> list:  # type: ignore[type-arg]
    return [e async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>") for e in page]


async def test_an_honest_log_with_signed_checkpoints_verifies(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    signed = EventStore(nc, signer=Signer.derive(SECRET, "tally"))
    await tally(nc, kab, [1, 2, 3], "c1", signed)  # the tally key's registration first: seq 1
    checkpoints = Checkpointer(store, SECRET)
    first = await checkpoints.checkpoint(kab)  # the audit key's registration, then it: 5, 6
    assert first is not None
    assert first.upto_seq == 5
    assert await checkpoints.checkpoint(kab) is None
    await tally(nc, kab, [4], "c1", signed)
    second = await checkpoints.checkpoint(kab)
    assert second is not None
    assert second.upto_seq == first.upto_seq + 2
    verdict = await verify_stream(
        store, kab, secret=SECRET, kept_digests={first.upto_seq: first.digest}
    )
    assert verdict.problems == []
    assert verdict.notes == []  # every event signed
    assert verdict.checked == 8


async def test_a_payload_changed_and_republished_is_named(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    ref = await history(nc, kab, [1, 2])
    original = (await stored(nc, kab))[0]
    doc = json.loads(original.data)
    doc["payload"]["n"] = 1000
    doc.pop("hash")
    doc["hash"] = chain_hash(doc)
    await nc.jetstream().publish(ref.subject, canonical_bytes(doc))
    verdict = await verify_stream(store, kab)
    assert not verdict.ok
    assert any(f"seq 3 ({ref.subject}): event {doc['event_id']}" in p for p in verdict.problems)


async def test_an_edited_event_whose_hash_was_kept_is_named(nc: NATS, kab: str) -> None:
    ref = await history(nc, kab, [1])
    await history(nc, kab, [2])
    original = (await stored(nc, kab))[1]
    forged = original.data.replace(b'"n":2', b'"n":9')
    await nc.jetstream().publish(ref.subject, forged)
    verdict = await verify_stream(EventStore(nc), kab)
    assert any(
        "hash does not match its bytes" in p and p.startswith("seq 3") for p in verdict.problems
    )


async def test_an_event_deleted_from_the_stream_is_named(nc: NATS, kab: str) -> None:
    # Someone with administrator rights recreated the stream without the delete guard.
    js = nc.jetstream()
    await js.add_stream(
        StreamConfig(
            name=stream_name(kab),
            subjects=stream_subjects(kab),
            allow_direct=True,
            allow_atomic=True,
        )
    )
    await history(nc, kab, [1, 2, 3, 4])
    await js.delete_msg(stream_name(kab), 2)
    verdict = await verify_stream(EventStore(nc), kab)
    assert any("stream sequences 2..2 are missing" in p for p in verdict.problems)
    assert any("aggregate version 3 follows 1" in p for p in verdict.problems)


async def test_a_kecamatan_verdict_names_its_chains_and_every_removal(nc: NATS, kab: str) -> None:
    """Read by its subjects alone, a kecamatan's share of the log has gaps by design; the
    removed sequences come from the stream itself, and every kecamatan's verdict names
    them (the log no longer tells whose they were)."""
    js = nc.jetstream()
    await js.add_stream(  # recreated without the delete guard, as above
        StreamConfig(
            name=stream_name(kab),
            subjects=stream_subjects(kab),
            allow_direct=True,
            allow_atomic=True,
        )
    )
    ref = await history(nc, kab, [1, 2, 3, 4])
    await tally(nc, kab, [5], "c2")
    store = EventStore(nc)
    honest = await verify_kecamatan_log(store, ref.tenant)
    assert (honest.problems, honest.checked) == ([], 5)
    await js.delete_msg(stream_name(kab), 2)
    await js.delete_msg(stream_name(kab), 5)  # the stream's last event
    verdict = await verify_kecamatan_log(store, ref.tenant)
    assert verdict.checked == 3
    assert any("aggregate version 3 follows 1" in p for p in verdict.problems)
    removals = [p for p in verdict.problems if "are missing" in p]
    assert removals == [
        f"stream sequences 2..2 are missing from {stream_name(kab)}",
        f"stream sequences 5..5 are missing from {stream_name(kab)}",
    ]
    elsewhere = await verify_kecamatan_log(store, Tenant(kab, f"{kab}02"))
    assert elsewhere.checked == 0
    assert elsewhere.problems == removals


@pytest.mark.parametrize("processes", [1, 2])
async def test_streams_verified_apart_come_back_in_order_naming_the_forgery(
    nc: NATS, infra: Endpoints, kab: str, kab2: str, processes: int
) -> None:
    """In worker processes (each on its own connection) as in this one: each stream's
    verdict, in the order asked, the edited event named in its own stream's."""
    await history(nc, kab, [1, 2])
    ref = await history(nc, kab2, [3])
    forged = (await stored(nc, kab2))[0].data.replace(b'"n":3', b'"n":30')
    await nc.jetstream().publish(ref.subject, forged)
    verdicts = [
        v
        async for v in verify_streams(
            EventStore(nc), [kab2, kab], processes=processes, nats_servers=[infra.nats_url]
        )
    ]
    assert [v.scope for v in verdicts] == [f"log {stream_name(kab2)}", f"log {stream_name(kab)}"]
    assert [v.checked for v in verdicts] == [2, 2]
    assert any(p.startswith("seq 2") and "hash does not match" in p for p in verdicts[0].problems)
    assert verdicts[1].problems == []


async def test_a_forged_checkpoint_is_named(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    await history(nc, kab, [1, 2])
    assert await Checkpointer(store, "another-deployment").checkpoint(kab) is not None
    verdict = await verify_stream(store, kab, secret=SECRET)
    assert any("signed with a key that is not this deployment's" in p for p in verdict.problems)
    kept = await verify_stream(store, kab, secret=None, kept_digests={2: "0" * 64})
    assert any("seq 2: the log differs from the digest kept outside" in p for p in kept.problems)


async def test_an_edited_read_model_row_is_named(
    nc: NATS, pool: asyncpg.Pool, kab: str, tmp_path: Path
) -> None:
    (tmp_path / "001.sql").write_text(TALLY_SQL)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    readside = ReadSide(
        service="tally",
        schema=schema,
        migrations=tmp_path,
        projections=[TallyProjection()],
        nc=nc,
        pool=pool,
        store=EventStore(nc),
        kabupaten=[kab],
        settings=ProjectorSettings(fetch_timeout_s=0.2),
    )
    await readside.start()
    try:
        await history(nc, kab, [5, 6, 7])
        await readside.wait_for(kab, await readside.store.last_seq(kab), timeout=10)
        assert (await verify_read_models(readside)).ok
        await pool.execute(f"update {schema}.applied set n = 600 where n = 6")
        verdict = await verify_read_models(readside)
        assert not verdict.ok
        assert f"{schema}.applied" in verdict.problems[0]
        assert "not from the log: (2," in verdict.problems[0]
        assert "600)" in verdict.problems[0]
    finally:
        await readside.stop()
        await pool.execute(f"drop schema if exists {schema} cascade")
