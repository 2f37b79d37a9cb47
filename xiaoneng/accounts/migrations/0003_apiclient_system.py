"""ApiClient.system (来源系统): the identity a department system's event ids belong to (issue 9). Existing
tokens take their name (its first 60 characters); cases/0006 then moves their events' source keys from the
token ("c:<id>") to the department and system, and separates systems whose ids would collide."""

from django.db import migrations, models


def system_from_name(apps, schema_editor):
    ApiClient = apps.get_model("accounts", "ApiClient")
    for client in ApiClient.objects.all().only("id", "name"):
        ApiClient.objects.filter(pk=client.pk).update(system=client.name.strip()[:60] or f"#{client.pk}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_role_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="system",
            field=models.CharField(
                default="", max_length=60, verbose_name="来源系统",
                help_text="同一部门同一来源系统的令牌共用事件编号：轮换令牌后重发不会重复计入。",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(system_from_name, migrations.RunPython.noop),
    ]
