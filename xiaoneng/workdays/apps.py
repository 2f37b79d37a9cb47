from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.nav import NavItem


class WorkdaysConfig(AppConfig):
    """The working-day calendar (holidays and make-up working days), office hours, and the fast
    working-day arithmetic every clock of the platform uses."""

    name = "xiaoneng.workdays"
    label = "workdays"
    verbose_name = _("工作日历")
    nav_items = (NavItem(_("工作日历"), "workdays:calendar", "calendar3", ("admin", "supervisor"), 70),)
