"""Crypto-shredding that survives forensics: after a household is forgotten and the system
stopped, nothing in the data directory (PostgreSQL's files and WAL, the NATS store, the
logs), with every key the data directory holds, opens its personal data again, nor lets
anyone test a guessed NIK or No. KK of it (no HMAC of them under any key left on disk).

The system runs on its own embedded servers in a data directory of its own, so the test can
stop them and read every raw file they left."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.distribution.main import spec
from services.distribution.personal import unseal
from shared.config import Settings
from shared.crypto import derive
from shared.events.distribution import HouseholdRegistered, household_ref
from shared.infra.local import LocalInfrastructure
from shared.lookupkeys import keyed_hmac
from shared.tenancy import Tenant
from tests.integration.distribution.conftest import call, configure, household, register
from tests.support import running

pytestmark = pytest.mark.integration

SECRET = "forensic-secret"
MEMBER = {"nik": "3520055708879912", "name": "Parmi Wahyuningsih"}
GONE = household(
    "", 1, nik="3520055708879911", name="Sulastri Wahyuningsih", address="Dusun Mlaten"
) | {"members": [MEMBER]}
KEPT = household("", 2, nik="3520051204797722", name="Parmin Suharjo", address="Dusun Gondang")
WRAPPED = 12 + 32 + 16  # nonce, data key, tag
WINDOW = 1024  # bytes either side of a key id where its wrapped key may lie


def raw_files(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            try:
                yield path, path.read_bytes()
            except PermissionError:
                continue


def keks(root: Path) -> list[AESGCM]:
    """Every key-encryption key the data directory could yield: each key file's bytes (in
    every 32-byte slice), and the legacy one derived from the deployment secret."""
    found = [AESGCM(derive(SECRET, b"key-wrapping"))]
    for path, data in raw_files(root):
        if path.suffix == ".kek" or "keys" in path.parts:
            found += [AESGCM(data[i : i + 32]) for i in range(0, max(len(data) - 31, 0))]
    return found


def data_keys(root: Path, key_id: str) -> list[bytes]:
    """Every data key of `key_id` that opens from a wrapped copy anywhere in the raw files:
    near each occurrence of the key id, every 60-byte window, under every KEK."""
    kid, candidates, opened = key_id.encode(), keks(root), []
    for _, data in raw_files(root):
        at = data.find(kid)
        while at != -1:
            lo, hi = max(at - WINDOW, 0), min(at + len(kid) + WINDOW, len(data))
            for i in range(lo, hi - WRAPPED + 1):
                blob = data[i : i + WRAPPED]
                for kek in candidates:
                    try:
                        opened.append(kek.decrypt(blob[:12], blob[12:], kid))
                    except InvalidTag:
                        continue
            at = data.find(kid, at + 1)
    return opened


def lookup_keys(root: Path) -> list[bytes]:
    """Every key a lookup HMAC could be made with from the data directory: each 32-byte
    slice of each key file, and the keys derived from the deployment secret."""
    found = [derive(SECRET, purpose) for purpose in (b"lookup", b"key-wrapping")]
    for path, data in raw_files(root):
        if "keys" in path.parts:
            found += [data[i : i + 32] for i in range(0, max(len(data) - 31, 0))]
    return found


def hmacs_found(root: Path, numbers: list[tuple[str, str]]) -> list[str]:
    """The numbers whose lookup HMAC, under any key the data directory holds, lies anywhere
    in its files: a guessed NIK could be tested against those."""
    everything = b"".join(content for _, content in raw_files(root))
    return [
        value
        for kind, value in numbers
        if any(keyed_hmac(key, kind, value).encode() in everything for key in lookup_keys(root))
    ]


GONE_NUMBERS = [("nik", GONE["nik"]), ("nik", MEMBER["nik"]), ("no_kk", GONE["no_kk"])]


def opens(keys: list[bytes], household_id: str, token: str) -> bool:
    for key in keys:
        try:
            unseal(key, household_id, token)
        except InvalidTag:
            continue
        return True
    return False


async def test_a_forgotten_household_cannot_be_opened_from_any_file_left_on_disk(
    kab: str,
) -> None:
    data = Path(tempfile.mkdtemp(prefix="smart-forensic-"))
    local = LocalInfrastructure(data)
    endpoints = await asyncio.to_thread(local.start)
    try:
        settings = Settings(
            nats_url=endpoints.nats_url,
            database_url=endpoints.database_url,
            data_dir=data,
            secret_key=SECRET,
            kabupaten=kab,
        )
        kec = f"{kab}05"
        nc = await nats.connect(endpoints.nats_url)
        try:
            async with running(spec(), settings) as rt:
                desa = (await configure(nc, kab, kec))[0]
                gone = await register(nc, kab, kec, GONE | {"desa": desa})
                kept = await register(nc, kab, kec, KEPT | {"desa": desa})
                events: dict[str, str] = {}
                for hid in (gone, kept):
                    [stored] = await rt.store.load(household_ref(Tenant(kab, kec), hid))
                    assert isinstance(stored.event, HouseholdRegistered)
                    events[hid] = stored.event.personal
                await rt.pool.execute("checkpoint")  # pages and WAL on disk, as a cut finds them
                before = data_keys(data, gone)
                assert opens(before, gone, events[gone]), "the scan finds a live key"
                assert hmacs_found(data, GONE_NUMBERS) == [n for _, n in GONE_NUMBERS], (
                    "the scan finds the live index"
                )

                forgot = await call(nc, "household_forget", kab, kec, params={"id": gone})
                assert forgot.status == 200, forgot.error
                await rt.pool.execute("checkpoint")
        finally:
            await nc.drain()
    finally:
        await asyncio.to_thread(local.stop)
    try:
        everything = b"".join(content for _, content in raw_files(data))
        for clear in (GONE["nik"], GONE["no_kk"], GONE["name"], KEPT["nik"], *MEMBER.values()):
            assert clear.encode() not in everything, f"{clear} lies in clear on disk"
        assert not opens(data_keys(data, gone), gone, events[gone]), (
            "a forgotten household opened from what the data directory holds"
        )
        assert opens(data_keys(data, kept), kept, events[kept]), "the scan still works"
        assert hmacs_found(data, GONE_NUMBERS) == [], "a forgotten NIK can still be tested"
        assert hmacs_found(data, [("nik", KEPT["nik"])]) == [KEPT["nik"]], "the scan still works"
        for stored_hmac in (b"no_kk_hmac", b"nik_hmac"):
            assert stored_hmac not in everything
    finally:
        shutil.rmtree(data, ignore_errors=True)
