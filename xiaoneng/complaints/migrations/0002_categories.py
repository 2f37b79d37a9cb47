"""Seed the default complaint categories (门难进、脸难看、事难办 …)."""

from django.db import migrations


def seed(apps, schema_editor):
    from xiaoneng.complaints.categories import CATEGORIES

    Category = apps.get_model("complaints", "ComplaintCategory")
    for i, (code, name, description) in enumerate(CATEGORIES):
        Category.objects.update_or_create(code=code, defaults={"name": name, "description": description,
                                                               "sort_order": i + 1})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
