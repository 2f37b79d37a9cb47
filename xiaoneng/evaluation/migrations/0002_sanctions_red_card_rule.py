"""The red-card threshold (红牌处理标准) becomes part of the scheme: `red_card_threshold` (0 = off) and
`red_card_sanction`. Existing quarter schemes get the rule as it was (3 red cards → 效能告诫); schemes of the other
period kinds get it off, as before (the rule ran for quarters only), so nothing already configured changes."""

from django.db import migrations, models


def quarters_only(apps, schema_editor):
    Scheme = apps.get_model("evaluation", "Scheme")
    Scheme.objects.exclude(period_kind="quarter").update(red_card_threshold=0)


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheme",
            name="red_card_threshold",
            field=models.PositiveSmallIntegerField(default=3, verbose_name="红牌处理标准（张）"),
        ),
        migrations.AddField(
            model_name="scheme",
            name="red_card_sanction",
            field=models.CharField(choices=[("warning", "效能告诫"), ("admonishment", "诫勉谈话"), ("criticism", "通报批评"),
                                            ("rectify", "责令整改"), ("organisational", "组织处理（建议）"),
                                            ("disciplinary", "纪律处分（建议）")],
                                   default="warning", max_length=16, verbose_name="达到红牌处理标准时提出的处理"),
        ),
        migrations.RunPython(quarters_only, migrations.RunPython.noop),
    ]
