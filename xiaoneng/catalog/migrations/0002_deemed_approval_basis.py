"""超时默许 needs the legal provision that provides for it (issue 10).

A version may be deemed approved only if it records the law or regulation that says so
(`deemed_approval_basis`, cited on the notice). Versions flagged before this field existed record none: no
basis can be invented for them, so the flag is cleared (items without a basis are not deemed approved) and
the office re-enables it with the provision in a new version. A check constraint keeps it so."""

from django.db import migrations, models


def clear_unfounded(apps, schema_editor):
    Version = apps.get_model("catalog", "ServiceItemVersion")
    Version.objects.filter(deemed_approval=True, deemed_approval_basis="").update(deemed_approval=False)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="serviceitemversion",
            name="deemed_approval_basis",
            field=models.TextField(blank=True, verbose_name="超时默许依据"),
        ),
        migrations.RunPython(clear_unfounded, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="serviceitemversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("deemed_approval", False)) | models.Q(("deemed_approval_basis", ""), _negated=True),
                name="catalog_version_deemed_has_basis",
            ),
        ),
    ]
