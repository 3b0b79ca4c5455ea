"""What the distribution handlers share, and the service's settings (SMART_DISTRIBUTION_*)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.claims import Claim, Claims, Holder, HolderCheck, LiveHouseholds
from services.distribution.domain import DEFAULT_EXCLUDING_AID
from services.distribution.files import Files, ObjectFiles
from services.distribution.liveindex import live_households
from shared.contracts.distribution import AidImported, Imported
from shared.db import DbConn
from shared.edge.jobs import Jobs
from shared.edge.kit import Written
from shared.events.distribution import Aid, household_ref
from shared.keys import KeyStore
from shared.runtime import Runtime
from shared.tenancy import Tenant


class DistributionSettings(BaseSettings):
    """`SMART_DISTRIBUTION_EXCLUDING_AID`: the aid that makes a household not a priority."""

    model_config = SettingsConfigDict(env_prefix="SMART_DISTRIBUTION_", extra="ignore")

    excluding_aid: str = ",".join(sorted(DEFAULT_EXCLUDING_AID))

    def excluding(self) -> frozenset[Aid]:
        return frozenset(Aid(a.strip()) for a in self.excluding_aid.split(",") if a.strip())


def holder_check(rt: Runtime) -> HolderCheck:
    """Whether a claim's household is in the log, and not forgotten."""

    async def holder(kab: str, claim: Claim) -> Holder:
        ref = household_ref(Tenant(kab, claim.kec), claim.household_id)
        state = (await rt.runner.load(HOUSEHOLD, ref)).state
        if state is None:
            return Holder.ABSENT
        return Holder.GONE if state.forgotten else Holder.LIVE

    return holder


@dataclass(frozen=True)
class Deps:
    """The households' keys (to show them masked, and to patch their personal data), the
    kabupaten-wide claims on their numbers, and the aid that makes a household not a
    priority."""

    keys: KeyStore
    claims: Claims
    excluding: frozenset[Aid] = DEFAULT_EXCLUDING_AID
    imports: Jobs[Written[Imported]] = field(default_factory=Jobs)
    """The registry imports this replica is running (services/distribution/imports.py)."""
    aid_imports: Jobs[Written[AidImported]] = field(default_factory=Jobs)
    """The aid-list imports this replica is running (services/distribution/aidimport.py)."""
    files: Files | None = None
    """Where hand-out evidence files are kept (services/distribution/files.py)."""

    @classmethod
    def build(cls, rt: Runtime, excluding: Collection[Aid] | None = None) -> Deps:
        """`excluding` overrides the configured aid set."""
        chosen = DistributionSettings().excluding() if excluding is None else excluding
        if rt.keys is None:
            raise RuntimeError("the distribution service runs with its key schema")
        keys, nc = rt.keys, rt.nc

        async def live(kab: str, conn: DbConn) -> tuple[LiveHouseholds, int]:
            return await live_households(nc, keys, kab, conn)

        return cls(
            keys=keys,
            claims=Claims(nc, holder_check(rt), keys.lookups, live, rt.settings.stream_replicas),
            excluding=frozenset(chosen),
            files=ObjectFiles(rt.nc, rt.settings.stream_replicas),
        )
