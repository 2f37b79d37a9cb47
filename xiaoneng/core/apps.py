from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Base of every app: errors, shells (page layouts), navigation registry, test utilities.

    It holds no domain models and imports no other Xiaoneng app: everything depends on it, not the reverse.
    """

    name = "xiaoneng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # Django 6.1's empty choice of every select ("- Select an option -") has no Simplified Chinese in
        # Django's own catalogue, so every form showed it in English. Django's documented hook is to set
        # BLANK_CHOICE_LABEL in an app's ready(); model choice fields, ChoiceFields and ModelChoiceFields all
        # read it at form construction (django.db.models.utils.get_blank_choice_label).
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("请选择")
