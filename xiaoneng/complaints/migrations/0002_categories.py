"""Seed the default complaint categories (门难进、脸难看、事难办 …)."""

from django.db import migrations


def seed(apps, schema_editor):
    from xiaoneng.complaints.categories import categories_ensure

    categories_ensure(apps.get_model("complaints", "ComplaintCategory"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
