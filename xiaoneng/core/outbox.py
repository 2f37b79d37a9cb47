"""The outbox: one send loop, one retry policy and one masking of recipients for every message to a person
(staff notifications, the applicant's SMS, notices to the complainant), over the tables that hold them.

Why an interface over the tables and not one table: the three differ in what matters most about them. Each
reads its recipient at sending time from a different owner of personal data (a staff account, the Case, the
complainant's identity, readable only by the system and the office) and must never store it; each is
unique on its own key (card or order × recipient × channel × kind; case × kind; notice × channel), which is
what makes recording a message idempotent; the staff inbox has a read state and in-app rows that are never
"sent". One table would need the union of their columns, nullable keys and a recipient resolver per kind
anyway. So each app keeps its table and says, through `MessageSource`, which of its rows are due, who and
what they go to now, and how an attempt is recorded; the loop, the policy and the masking are here, once.

Each app registers its source EXPLICITLY from its own `AppConfig.ready()` (`outbox_register`): cases the
applicant's SMS, complaints the complainant notices, supervision the staff notifications. Nothing is found by
importing modules for their side effects. core imports no app: office hours (the working-day calendar,
workdays) reach the loop as a predicate passed by its caller (`office_open=`), and a source only says whether
its messages wait for them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction

from .masking import mask_personal_data, mask_recipient
from .sms import sms_backend

log = logging.getLogger(__name__)

# The one retry policy. Every message is tried this often by the loop (once a minute, by the worker's tick),
# then left failed for a person to look at (the complaint office may send a failed notice once more by hand).
# No back-off: a gateway down for five minutes fails a message; the tests of every kind pin five attempts in a
# row, and an office that needs longer retries retries by hand.
SEND_ATTEMPTS = 5
# Messages of one kind handed to the backends per run: a backlog drains over a few minutes, and one run's
# transaction (its row locks) stays short.
SEND_LIMIT = 500

SMS = "sms"
EMAIL = "email"


@dataclass(slots=True)
class Outgoing:
    """One message as it leaves: resolved by its source at sending time, never stored as such. `to` is the
    recipient read just now (a phone for SMS, an address for e-mail) and goes to the backend only: errors
    and log lines carry it masked."""

    row: Any  # the source's own row, handed back to its `record`
    pk: Any  # for log lines
    attempts: int  # attempts already made before this one
    channel: str  # SMS or EMAIL
    to: str
    subject: str
    body: str


@dataclass(slots=True)
class Outcome:
    """What one attempt did: `sent`, or the `error` as it may be stored and shown (recipient masked); `final`
    when the retry policy gives up on the message with this attempt (it is then failed)."""

    message: Outgoing
    sent: bool
    error: str = ""
    final: bool = False

    @property
    def row(self) -> Any:
        return self.message.row


@runtime_checkable
class MessageSource(Protocol):
    """A table of messages to people, as the outbox sees it. Implemented by the app that owns the table (its
    `outbox.py`) and registered from its `AppConfig.ready()`."""

    kind: str  # "staff", "applicant", "complainant": names the source in counts and log lines
    waits_for_office_hours: bool  # e.g. staff e-mail/SMS and the applicant's SMS; complainant notices do not

    def due(self, *, now: dt.datetime, limit: int) -> Sequence[Any]:
        """The rows to try now, at most `limit`, oldest first, locked for the caller's transaction (SKIP
        LOCKED where the database has it, so two workers never hand the same message to a backend)."""
        ...

    def outgoing(self, rows: Sequence[Any]) -> list[Outgoing]:
        """The rows as messages, one per row: recipient and text read now (one query for the batch, not one
        per row). A row without a recipient still yields its message (with `to` empty): the backend refuses
        it, so it is recorded and ends failed like any other, instead of being picked again forever."""
        ...

    def record(self, outcomes: Sequence[Outcome], *, now: dt.datetime) -> None:
        """Write what the attempts did on the rows: one attempt more each; sent at `now`, or the error kept
        and, when `final`, the row failed."""
        ...


_SOURCES: dict[str, MessageSource] = {}


def outbox_register(source: MessageSource) -> None:
    """Add an app's message source; called from its AppConfig.ready(). The same instance again is a no-op
    (ready() may run twice in a process); another source of a kind already registered is a mistake."""
    if not isinstance(source, MessageSource):
        raise ImproperlyConfigured(f"{source!r} is not an outbox MessageSource")
    have = _SOURCES.get(source.kind)
    if have is source:
        return
    if have is not None:
        raise ImproperlyConfigured(f"two outbox sources of kind {source.kind!r}: {have!r} and {source!r}")
    _SOURCES[source.kind] = source


def outbox_sources() -> tuple[MessageSource, ...]:
    """The registered sources, in the order the apps registered them (INSTALLED_APPS)."""
    return tuple(_SOURCES.values())


class Channels:
    """The backends of one run: the SMS backend is resolved once, and only if an SMS is sent; e-mail goes
    through Django's mail (settings.MAILERS)."""

    def __init__(self) -> None:
        self._sms = None

    def send(self, m: Outgoing) -> None:
        if not m.to:  # whatever the backend would do with it (a mail server may take "" as a local user)
            raise ValueError("没有手机号码" if m.channel == SMS else "没有电子邮件地址")
        if m.channel == SMS:
            if self._sms is None:
                self._sms = sms_backend()
            self._sms.send(m.to, m.body)
        elif m.channel == EMAIL:
            send_mail(m.subject, m.body, None, [m.to], fail_silently=False)
        else:
            raise ValueError(f"unknown channel {m.channel!r}")


def outbox_error(exc: BaseException, *recipients: str) -> str:
    """A send failure as it is stored and logged: gateways and SMTP servers quote the number or address they
    refused, and neither the message tables nor the logs may hold a recipient's personal data. The
    recipient's own strings are scrubbed in any written form, then anything else that looks like a phone,
    ID number or e-mail address is masked; the exception's type and the rest of its text stay, so the office
    still learns why. An address's mailbox name alone is scrubbed too ("mailbox zhang.xm unavailable")."""
    contacts = [r for r in recipients if r]
    contacts += [r.replace("＠", "@").partition("@")[0] for r in contacts if "@" in r or "＠" in r]
    return mask_personal_data(f"{type(exc).__name__}: {exc}", contacts=[c for c in contacts if c])[:300]


def outbox_deliver(m: Outgoing, *, kind: str, channels: Channels | None = None, final: bool = False) -> Outcome:
    """Hand one message to its backend and say what happened; never raises for a backend's failure (one
    refused message must not stop the others). `final` gives up on a failure whatever the attempts (a
    person's one retry by hand)."""
    attempt = m.attempts + 1
    try:
        (channels or Channels()).send(m)
    except Exception as exc:  # any backend failure is the message's, recorded and retried by the policy
        error = outbox_error(exc, m.to)
        final = final or attempt >= SEND_ATTEMPTS
        log.warning("outbox: %s message %s to %s not sent (attempt %d of %d%s): %s", kind, m.pk,
                    mask_recipient(m.to), attempt, SEND_ATTEMPTS, ", given up" if final else "", error)
        return Outcome(m, sent=False, error=error, final=final)
    return Outcome(m, sent=True)


def outbox_send_due(*, now: dt.datetime, office_open: Callable[[dt.datetime], bool] | None = None,
                    sources: Iterable[MessageSource] | None = None, limit: int = SEND_LIMIT,
                    counts: dict[str, int] | None = None) -> int:
    """The one send loop: for each source (every registered one unless `sources` names some), its due
    messages handed to their backends and the attempts recorded, in one transaction, so each message is handed
    over once whatever runs concurrently. Sources whose messages wait for office hours are skipped unless
    `office_open(now)` (no predicate: treated as closed, so nothing that must wait is sent by mistake).
    Returns how many were sent; `counts`, when given, receives the number per kind."""
    sources = outbox_sources() if sources is None else tuple(sources)
    is_open: bool | None = None
    sent = 0
    channels = Channels()
    # One transaction for every source: the rows stay locked from selection to record (so a message is handed
    # over once), and a run costs one transaction, not one per kind.
    with transaction.atomic():
        for source in sources:
            n = 0
            if source.waits_for_office_hours:
                if is_open is None:
                    is_open = bool(office_open and office_open(now))
                if not is_open:
                    if counts is not None:
                        counts[source.kind] = counts.get(source.kind, 0)
                    continue
            rows = source.due(now=now, limit=limit)
            if rows:
                outcomes = [outbox_deliver(m, kind=source.kind, channels=channels) for m in source.outgoing(rows)]
                source.record(outcomes, now=now)
                n = sum(o.sent for o in outcomes)
            sent += n
            if counts is not None:
                counts[source.kind] = counts.get(source.kind, 0) + n
    return sent
