"""Seed the shipped rating reasons (ratings/defaults.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from xiaoneng.ratings.defaults import reasons_ensure_defaults

    reasons_ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_ratings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
