from django.conf import settings

from xiaoneng.core.government import mailbox_title_lazy
from xiaoneng.core.nav import nav_for


def shell(request):
    """What every page layout needs: the staff menu for this user and the site name."""
    user = getattr(request, "user", None)
    return {
        "nav_items": nav_for(user) if user is not None else [],
        "site_name": getattr(settings, "XIAONENG_SITE_NAME", "行政效能电子监察平台"),
        "county_name": getattr(settings, "XIAONENG_COUNTY_NAME", ""),
        "mailbox_title": mailbox_title_lazy(),  # 县长信箱 / 区长信箱 / 市长信箱 (core/government.py)
        # Role checks are duck-typed on the user so core does not import accounts.
        "is_admin": bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role("admin")),
    }
