"""The demo county's unified disclosure days (统一公开日): the last four days before the demo's clock checked at
17:00 on the day and published half an hour later as the county-wide bulletin (当日督查、全区通报、限期整改), through
the check's services — after the catalogue step made catalogues and a year of entries, so that the evaluation
step after this one scores `disclosure`. A finding is put right when its department published the item after
the bulletin (the entry service does that live; here the entries were written before the check existed, so the
step replays it: the first later entry of the item, or the catalogue accepted later, closes the finding at that
moment). The rest stay open and the supervision tick gives them their cards."""

from __future__ import annotations

import datetime as dt


def _days_before(now: dt.datetime, cal) -> list[dt.date]:
    from xiaoneng.core.errors import DomainError
    from xiaoneng.disclosure.days import disclosure_days

    local = now.astimezone(cal.tz)
    out = []
    for year in (local.year - 1, local.year):
        try:
            out += [d.date for d in disclosure_days(year)]
        except DomainError:  # a year the calendar lacks: no disclosure day there
            continue
    cutoff = local.date() if local.time() >= dt.time(18) else local.date() - dt.timedelta(days=1)
    return [d for d in sorted(out) if d <= cutoff][-4:]


def _replay_rectifications(check, *, until: dt.datetime) -> int:
    from xiaoneng.disclosure.models import (
        Catalogue,
        CatalogueStatus,
        DisclosureEntry,
        EntryStatus,
        FindingStatus,
    )
    from xiaoneng.disclosure.services.findings import (
        findings_rectify_for_catalogue,
        findings_rectify_for_entry,
    )

    done = 0
    for f in check.findings.filter(status=FindingStatus.OPEN).order_by("id"):
        if f.item_code:
            e = (DisclosureEntry.objects.filter(department_id=f.department_id, item_code=f.item_code,
                                                published_at__gt=check.published_at, published_at__lte=until,
                                                status__in=(EntryStatus.PUBLISHED, EntryStatus.SUPERSEDED))
                 .order_by("published_at").first())
            if e is not None:
                done += findings_rectify_for_entry(e, now=e.published_at)
        else:
            cat = (Catalogue.objects.filter(department_id=f.department_id, decided_at__gt=check.published_at,
                                            decided_at__lte=until,
                                            status__in=(CatalogueStatus.ACCEPTED, CatalogueStatus.SUPERSEDED))
                   .order_by("decided_at").first())
            if cat is not None:
                done += findings_rectify_for_catalogue(cat, now=cat.decided_at)
    return done


def step_disclosure_check(ctx) -> None:
    """Check and publish the last four disclosure days; count what was found and put right."""
    from xiaoneng.accounts import roles as R
    from xiaoneng.disclosure.models import CheckFinding, CheckStatus, DisclosureCheck
    from xiaoneng.disclosure.services.check import disclosure_check_publish, disclosure_check_run
    from xiaoneng.workdays.calendar import get_calendar

    cal = get_calendar()
    sup = next((s for s in ctx.staff.values() if s.has_role(R.SUPERVISOR)), None)
    checks = 0
    for day in _days_before(ctx.now, cal):
        run_at = dt.datetime.combine(day, dt.time(17, 0), tzinfo=cal.tz)
        existing = DisclosureCheck.objects.filter(date=day).first()
        if existing is not None and existing.status == CheckStatus.PUBLISHED:
            continue
        check = disclosure_check_run(date=day, now=run_at, by=sup)
        check = disclosure_check_publish(check=check, now=run_at + dt.timedelta(minutes=30), by=sup)
        _replay_rectifications(check, until=ctx.now)
        checks += 1
    ctx.counts["disclosure_checks"] = checks
    ctx.counts["disclosure_findings"] = CheckFinding.objects.count()
