"""The office's default for an unrated case (逾期未评价默认好评, Guangdong practice): where the policy says
"basic", an ended case that has no rating `default_after_days` days after it ended gets a defaulted
基本满意 through rating_record (channel default, defaulted=True, rated at the end + N days), marked as
defaulted in every figure. Where the policy says "none" nothing happens (an unrated case counts as none).

Run every few minutes by the worker (supervision/schedules.py) and by `xiaoneng ratings-default --now …`.
Set-based selection (one query finds the due cases, in batches), idempotent (a rated case is never due; a
race with a real rating loses quietly: the real one stands). Window contacts get no default."""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import Coalesce

from xiaoneng.cases.models import Case
from xiaoneng.core.errors import Conflict, DomainError

from ..models import Channel, Level, RatingPolicy
from .rating import ENDED_STATUSES, rating_record

BATCH = 2000


def _due(now: dt.datetime, days: int):
    return (Case.objects.annotate(_ended_at=Coalesce("closed_at", "completed_at", "delivered_at"))
            .filter(status__in=ENDED_STATUSES, rating__isnull=True, _ended_at__isnull=False,
                    _ended_at__lte=now - dt.timedelta(days=days))
            .order_by("_ended_at", "id"))


def ratings_default_due(*, now: dt.datetime, limit: int | None = None) -> int:
    """Record the defaulted 基本满意 of every case due now (at most `limit`); returns how many were recorded."""
    policy = RatingPolicy.current()
    if policy.default_level != RatingPolicy.Default.BASIC:
        return 0
    days = policy.default_after_days
    done = 0
    while limit is None or done < limit:
        take = BATCH if limit is None else min(BATCH, limit - done)
        batch = list(_due(now, days).only("id", "status", "closed_at", "completed_at", "delivered_at")[:take])
        if not batch:
            break
        recorded = 0
        for case in batch:
            try:
                rating_record(case=case, level=Level.BASIC.value, channel=Channel.DEFAULT, defaulted=True,
                              rated_at=case._ended_at + dt.timedelta(days=days), now=now)
            except Conflict:  # rated meanwhile: the real rating stands
                continue
            except DomainError:  # pragma: no cover - a case whose end moved; the next run sees it again
                continue
            recorded += 1
        done += recorded
        if recorded == 0 or len(batch) < take:
            break
    return done
