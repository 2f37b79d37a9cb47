from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection


class RatingsConfig(AppConfig):
    """Ratings (好差评): every finished case, window contact and complaint handling rated by the person served;
    bad ratings become rectification tasks (差评整改) whose clock supervision judges through the port (core/clocks.py)."""

    name = "xiaoneng.ratings"
    label = "ratings"
    verbose_name = _("好差评")
    nav_section = NavSection("opinion", _("评价与检查"), 50)
    nav_items = (
        # ---- rectifications (差评整改)
        NavItem(_("差评整改"), "ratings:rectify_list", "wrench-adjustable", ("handler", "head", "leader", "admin"), 60),
        NavItem(_("差评整改审核"), "ratings:rectify_review", "clipboard-check", ("supervisor",), 60),
        # ---- channels (issue 12): window contacts (一次一评) and the counter tablets
        NavItem(_("窗口服务评价"), "ratings:window_home", "hand-thumbs-up", ("window", "handler", "head"), 42, section="cases"),
        NavItem(_("窗口评价器"), "ratings:kiosk_list", "tablet", ("window", "head"), 43, section="cases"),
        # ---- ratings-core (issue 12): the office's pages
        NavItem(_("好差评统计"), "ratings:office_figures", "star-half", ("supervisor", "leader"), 60),
        NavItem(_("好差评记录"), "ratings:office_list", "star", ("supervisor", "leader"), 61),
        NavItem(_("好差评设置"), "ratings:office_policy", "sliders", ("supervisor",), 62, section="settings"),
        NavItem(_("本部门好差评"), "ratings:office_list", "star", ("head", "handler"), 63),
        NavItem(_("本部门好差评统计"), "ratings:office_figures", "star-half", ("head",), 64),
    )
    start_panels = (
        # ---- rectifications (差评整改)
        StartPanel("head", "xiaoneng.ratings.landing.department_rectifications", 35),
        StartPanel("handler", "xiaoneng.ratings.landing.department_rectifications", 35),
        StartPanel("supervisor", "xiaoneng.ratings.landing.office_review", 35),
        # ---- ratings-core (issue 12): this quarter's ratings
        StartPanel("leader", "xiaoneng.ratings.office_landing.quarter_ratings", 25),
        StartPanel("supervisor", "xiaoneng.ratings.office_landing.quarter_ratings", 25),
    )

    def ready(self) -> None:
        # ---- rectifications (差评整改): their clock is judged by supervision through the one port.
        from xiaoneng.core import clocks

        from .clocks import RATING_CLOCKS

        clocks.register_owner(RATING_CLOCKS)

        # ---- channels (issue 12): the rating QR code on cases' documents (core/documents.py) and the SMS
        # invitation after a case ends (core/outbox.py), both through core's ports, registered here only.
        from xiaoneng.core.documents import register_document_extra
        from xiaoneng.core.outbox import outbox_register

        from .documents import rating_qr_extra
        from .outbox import SOURCE as RATING_INVITATIONS

        register_document_extra(rating_qr_extra)
        outbox_register(RATING_INVITATIONS)
