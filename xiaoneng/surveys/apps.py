from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Surveys (民主评议, 万人评机关): questionnaires answered by weighted respondent groups through public links and
    one-time invitation codes; a department's survey score per period."""

    name = "xiaoneng.surveys"
    label = "surveys"
    verbose_name = _("民主评议")
    nav_items = ()
    start_panels = ()
