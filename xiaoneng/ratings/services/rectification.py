"""差评整改: the rectification of a bad rating, from its opening to the office's review (see models.Rectification).

`rectification_open` is called by `rating_record` (ratings.services.rating) inside its transaction for every
bad rating; the other services are the department's and the office's steps."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xiaoneng.workdays.calendar import get_calendar

from ..models import Rating, RatingPolicy, Rectification, RectificationAction


def rectification_number(rating: Rating) -> str:
    """ZG<year>-<rating id>: unique without a counter, since a rating has at most one rectification."""
    return f"ZG{rating.recorded_at.astimezone(get_calendar().tz).year}-{rating.pk:07d}"


@transaction.atomic
def rectification_open(*, rating: Rating, now: dt.datetime, policy: RatingPolicy | None = None) -> Rectification:
    """Open the rectification of a bad rating: due `limit_wd` working days from the rating's recording (a
    rating recorded after hours or on a day off counts from the next working day's opening, as every clock).
    The tick judges it at once (next_check_at = now) and then on its thresholds."""
    policy = policy or RatingPolicy.current()
    limit = policy.rectification_limit_wd
    due = get_calendar().deadline(rating.recorded_at, limit, "wd").at
    r = Rectification.objects.create(
        number=rectification_number(rating), rating=rating, department_id=rating.department_id,
        opened_at=now, limit_wd=limit, due_at=due, next_check_at=now,
    )
    RectificationAction.objects.create(rectification=r, kind=RectificationAction.Kind.OPEN, at=now,
                                       text=f"差评整改期限 {limit} 个工作日")
    return r
