"""What the distribution handlers share, and the service's settings (SMART_DISTRIBUTION_*)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.claims import Claim, Claims, Holder, HolderCheck
from services.distribution.domain import DEFAULT_EXCLUDING_AID
from shared.contracts.distribution import Imported
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
    """The secret of the lookup HMACs, the households' keys (to show them masked), the
    kabupaten-wide claims on their numbers, and the aid that makes a household not a
    priority."""

    secret: str
    keys: KeyStore
    claims: Claims
    excluding: frozenset[Aid] = DEFAULT_EXCLUDING_AID
    imports: Jobs[Written[Imported]] = field(default_factory=Jobs)
    """The registry imports this replica is running (services/distribution/imports.py)."""

    @classmethod
    def build(cls, rt: Runtime, excluding: Collection[Aid] | None = None) -> Deps:
        """`excluding` overrides the configured aid set."""
        chosen = DistributionSettings().excluding() if excluding is None else excluding
        if rt.keys is None:
            raise RuntimeError("the distribution service runs with its key schema")
        return cls(
            secret=rt.settings.secret_key.get_secret_value(),
            keys=rt.keys,
            claims=Claims(rt.nc, holder_check(rt), rt.settings.stream_replicas),
            excluding=frozenset(chosen),
        )
