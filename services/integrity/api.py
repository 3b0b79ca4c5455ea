"""The integrity service's table: each command and query type and the function serving it.

An act on a finding answers 404 for an unknown finding whatever its body (an unknown id in
the path is 404, CONTRACT.md): the kit checks the finding of the path before the body."""

from __future__ import annotations

from services.integrity import documents, handlers, kabupaten, queries
from services.integrity.deps import Deps
from shared.contracts import documents as d
from shared.contracts import integrity as c
from shared.contracts import kabupaten as k
from shared.edge.kit import Api
from shared.events.integrity import SERVICE

API = Api[Deps](
    SERVICE,
    {
        c.RecordFinding: handlers.record_finding,
        c.FollowUpFinding: handlers.follow_up_finding,
        c.ResolveFinding: handlers.resolve_finding,
        c.DismissFinding: handlers.dismiss_finding,
        c.FindingsSummaryQuery: queries.findings_summary,
        c.SummaryQuery: queries.findings_by_year,
        c.TrendQuery: queries.findings_trend,
        c.FindingsByUnitQuery: queries.findings_by_unit,
        c.OpenFindingsQuery: queries.open_findings,
        c.VisitsQuery: queries.visits,
        d.FindingsRegisterQuery: documents.findings_register,
        k.IntegrityKabupaten: kabupaten.kabupaten_summary,
    },
    paths={
        c.FollowUpFinding: handlers.known_finding,
        c.ResolveFinding: handlers.known_finding,
        c.DismissFinding: handlers.known_finding,
    },
)
