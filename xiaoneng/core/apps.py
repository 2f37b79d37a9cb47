from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Base of every app: errors, shells (page layouts), navigation registry, test utilities.

    It holds no domain models and imports no other Xiaoneng app: everything depends on it, not the reverse.
    """

    name = "xiaoneng.core"
    label = "core"
    verbose_name = "核心"
