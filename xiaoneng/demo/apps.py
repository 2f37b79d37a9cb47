from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Builds the demo county (departments, staff, calendar, catalogue) deterministically from a seed.
    It sits on top of every other app and nothing depends on it."""

    name = "xiaoneng.demo"
    label = "demo"
    verbose_name = "演示数据"
