from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.landing import StartPanel
from xiaoneng.core.nav import NavItem, NavSection


class SupervisionConfig(AppConfig):
    """Electronic supervision (电子监察): rules, cards, supervision orders, rectification proposals, the live
    monitor."""

    name = "xiaoneng.supervision"
    label = "supervision"
    verbose_name = _("电子监察")
    nav_section = NavSection("supervision", _("效能监察"), 30)
    nav_items = (
        NavItem(_("实时监控"), "supervision:monitor", "display", ("supervisor", "leader", "admin"), 50),
        NavItem(_("预警纠错"), "supervision:warning_list", "exclamation-triangle", None, 51),
        NavItem(_("督办"), "supervision:order_list", "flag", None, 52),
        NavItem(_("整改建议书"), "supervision:proposal_list", "file-earmark-text",
                ("supervisor", "leader", "admin", "head", "handler"), 52),
        NavItem(_("我的待办"), "supervision:desk", "inbox", ("handler", "head", "window"), 53, section="overview"),
        NavItem(_("监察规则"), "supervision:rule_list", "sliders", ("supervisor", "leader", "admin"), 54, section="settings"),
    )
    start_panels = (
        StartPanel("leader", "xiaoneng.supervision.landing.leader_headline", 10),
        StartPanel("supervisor", "xiaoneng.supervision.landing.supervisor_today", 10),
        StartPanel("head", "xiaoneng.supervision.landing.department_cards", 20),
        StartPanel("handler", "xiaoneng.supervision.landing.handler_desk", 10),
    )

    def ready(self) -> None:
        # No clock owner imports supervision: they call the judge through the port (core/clocks.py), and the
        # tick reaches them through it (clocks.owners()).
        from xiaoneng.core import clocks

        from .judge import JUDGE

        clocks.register_judge(JUDGE)  # one instance: registering again is a no-op

        # Staff e-mail and SMS go through the platform's one outbox (core/outbox.py), registered here and
        # nowhere else; the tick runs its loop (services.messages_send_due).
        from xiaoneng.core.outbox import outbox_register

        from .outbox import SOURCE

        outbox_register(SOURCE)

        # Cards, orders and proposals name their subject without a foreign key: deleting a case or a complaint
        # deletes its cards, and is refused while it has orders or proposals (subjects.py).
        from .subjects import connect_subject_deletion

        connect_subject_deletion()

        # The rules clock owners ship (ClockOwner.default_rules) are created after every migrate, once the
        # owners' tables exist; edited rules are never touched.
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_rules, sender=self, dispatch_uid="supervision_owner_rules")


def _ensure_rules(sender, using="default", **kwargs) -> None:
    from .defaults import rules_ensure_defaults

    rules_ensure_defaults()
