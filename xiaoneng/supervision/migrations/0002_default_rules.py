"""Seed the default rules of DOMAIN.md §4 (see supervision/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from xiaoneng.supervision.defaults import rules_ensure_defaults

    rules_ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
