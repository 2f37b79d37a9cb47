from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal (门户): the home page, search across what is published, case progress look-up, public
    figures per department, bulletins, feeds and the sitemap. The very top of the chain: it reads every app and
    none reads it (only the demo)."""

    name = "xiaoneng.portal"
    label = "portal"
    verbose_name = _("公众门户")

    def ready(self) -> None:
        # ---- search: keep the index in step with what lower apps publish
        pass
