from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.nav import SETTINGS, NavItem


def seed_calendar_after_migrate(sender, *, using, verbosity=1, stdout=None, **kwargs) -> None:
    """After `migrate`: a database with no calendar year at all gets the package's years (services.
    calendar_seed_initial), so a fresh installation's clocks and public calculator do not all answer "year not
    loaded". Off when settings.XIAONENG_SEED_CALENDAR_ON_MIGRATE is false (env XIAONENG_SEED_CALENDAR_ON_MIGRATE=0;
    the test suite turns it off: tests build the calendars they mean)."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone

    from xiaoneng.workdays.models import CalendarYear
    from xiaoneng.workdays.services import calendar_seed_initial

    if not getattr(settings, "XIAONENG_SEED_CALENDAR_ON_MIGRATE", True) or using != DEFAULT_DB_ALIAS:
        return
    # `migrate <other app>` also sends post_migrate: the calendar tables may not exist yet.
    if CalendarYear._meta.db_table not in connections[using].introspection.table_names():
        return
    result = calendar_seed_initial(now=timezone.now())
    if result and verbosity >= 1 and stdout is not None:
        stdout.write(
            f"工作日历：已从 holidays 软件包载入 {min(result)}—{max(result)} 年"
            "（有国务院通知的年份为正式，其余为暂定）。不需要时设置 XIAONENG_SEED_CALENDAR_ON_MIGRATE=0。\n"
        )


class WorkdaysConfig(AppConfig):
    """The working-day calendar (holidays and make-up working days), office hours, and the fast
    working-day arithmetic every clock of the platform uses."""

    name = "xiaoneng.workdays"
    label = "workdays"
    verbose_name = _("工作日历")
    nav_section = SETTINGS
    nav_items = (NavItem(_("工作日历"), "workdays:calendar", "calendar3", ("admin", "supervisor"), 70),)

    def ready(self):
        # sender=self: post_migrate goes to every app; the calendar is seeded once per migrate.
        post_migrate.connect(seed_calendar_after_migrate, sender=self, dispatch_uid="workdays-seed-calendar")
