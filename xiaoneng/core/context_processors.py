from django.conf import settings

from xiaoneng.core.government import mailbox_title_lazy
from xiaoneng.core.nav import nav_sections_for


def shell(request):
    """What every page layout needs: the staff menu for this user and the site name."""
    user = getattr(request, "user", None)
    sections = nav_sections_for(user) if user is not None else []
    return {
        "nav_sections": sections,  # the staff menu, grouped (core/nav.py)
        "nav_items": [entry for section in sections for entry in section["items"]],
        "site_name": getattr(settings, "XIAONENG_SITE_NAME", "行政效能电子监察平台"),
        "county_name": getattr(settings, "XIAONENG_COUNTY_NAME", ""),
        "mailbox_title": mailbox_title_lazy(),  # 县长信箱 / 区长信箱 / 市长信箱 (core/government.py)
        # Role checks are duck-typed on the user so core does not import accounts.
        "is_admin": bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role("admin")),
        "identity": site_identity(),
    }


def site_identity() -> dict:
    """What 政府网站发展指引 asks of a government site's footer, on every public page: the sponsor (主办单位; the
    county's government when not set), the site code (网站标识码), the ICP filing number and the public-security
    filing number (公安备案号) — each shown only when set (settings XIAONENG_SITE_*)."""
    county = getattr(settings, "XIAONENG_COUNTY_NAME", "") or ""
    return {
        "sponsor": getattr(settings, "XIAONENG_SITE_SPONSOR", "") or (f"{county}人民政府" if county else ""),
        "site_code": getattr(settings, "XIAONENG_SITE_CODE", "") or "",
        "icp": getattr(settings, "XIAONENG_ICP_NUMBER", "") or "",
        "police": getattr(settings, "XIAONENG_POLICE_RECORD", "") or "",
    }
