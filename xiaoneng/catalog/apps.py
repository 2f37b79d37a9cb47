from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.nav import NavItem


class CatalogConfig(AppConfig):
    """The service catalogue (政务服务事项): items, materials, fees, workflow steps, versions, and the
    public service guides built from them."""

    name = "xiaoneng.catalog"
    label = "catalog"
    verbose_name = _("事项目录")
    nav_items = (NavItem(_("事项目录"), "catalog:item_list", "journal-text", None, 60, section="cases"),)
