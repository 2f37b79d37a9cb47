from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    """Ratings (好差评): every finished case, window contact and complaint handling rated by the person served;
    bad ratings become rectification tasks (差评整改) whose clock supervision judges through the port (core/clocks.py)."""

    name = "xiaoneng.ratings"
    label = "ratings"
    verbose_name = _("好差评")
    nav_items = ()
    start_panels = ()
