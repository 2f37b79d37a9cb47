"""What the management commands share: the `--now` moment (a command judges at a moment passed in, like every
service, so an operator can re-run a past day; the moment must carry its offset, never a naive time)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone


def moment_of(now: str | None) -> dt.datetime:
    """The command's `--now` as an aware datetime (the present when not given); a CommandError in Chinese naming
    the option when it is not an ISO 8601 time or carries no offset."""
    if not now:
        return timezone.now()
    try:
        moment = dt.datetime.fromisoformat(now)
    except ValueError as exc:
        raise CommandError(f"--now “{now[:40]}” 不是有效的 ISO 8601 时间。") from exc
    if timezone.is_naive(moment):
        raise CommandError("--now 必须带时区，例如 +08:00。")
    return moment
