"""The sanctions register (效能问责): proposals (escalation of repeated bottom places, vetoes, thresholds,
inspections, by hand), decisions with numbered documents, appeals. (Being built: see the evaluation issue.)"""

from __future__ import annotations

import datetime as dt


def sanctions_propose_after_publish(evaluation, *, now: dt.datetime, by=None) -> list:
    """After `evaluation` is published: propose what its results call for (escalation, vetoes). Idempotent."""
    return []
