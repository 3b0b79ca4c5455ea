"""What the distribution handlers share, and the service's settings (SMART_DISTRIBUTION_*)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.claims import Claim, Claims, Holder, HolderCheck
from services.distribution.domain import DEFAULT_EXCLUDING_AID
from services.distribution.personal import HouseholdKeys
from shared.events.distribution import Aid, household_ref
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
    """The households' keys, the kabupaten-wide claims on their numbers, and the aid that
    makes a household not a priority."""

    keys: HouseholdKeys
    claims: Claims
    excluding: frozenset[Aid] = DEFAULT_EXCLUDING_AID

    @property
    def secret(self) -> str:
        return self.keys.secret

    @classmethod
    def build(cls, rt: Runtime, excluding: Collection[Aid] | None = None) -> Deps:
        """`excluding` overrides the configured aid set."""
        chosen = DistributionSettings().excluding() if excluding is None else excluding
        return cls(
            keys=HouseholdKeys(rt.settings.secret_key.get_secret_value(), rt.pool),
            claims=Claims(rt.nc, holder_check(rt), rt.settings.stream_replicas),
            excluding=frozenset(chosen),
        )
