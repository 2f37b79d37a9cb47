from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import SETTINGS, NavItem


class AccountsConfig(AppConfig):
    """Departments, staff and their roles, API clients of department systems, log-in."""

    name = "xiaoneng.accounts"
    label = "accounts"
    verbose_name = _("账户与部门")
    nav_section = SETTINGS
    nav_items = (
        NavItem(_("部门"), "accounts:department_list", "diagram-3", None, 80),
        NavItem(_("工作人员"), "accounts:staff_list", "people", ("head", "supervisor", "leader", "admin"), 81),
        NavItem(_("接口令牌"), "accounts:token_list", "key", ("admin",), 90),
        NavItem(_("安全审计"), "accounts:audit_list", "journal-text", ("admin",), 91),
    )
    start_panels = (StartPanel("admin", "xiaoneng.accounts.landing.admin_today", 10),)

    def ready(self) -> None:
        from . import audit

        audit.connect()
