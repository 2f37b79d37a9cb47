"""Rules name the kind of subject whose clocks they judge (core/clocks.py), and the complaint checks become the
deadline family every clock owner but cases is judged by: complaint_reminder → deadline_reminder,
complaint_overdue → deadline_overdue, complaint_overdue_long → deadline_overdue_long, subject kind "complaint".
Reversible: the way back renames the complaint rules' checks again."""

from django.db import migrations, models

RENAME = {"complaint_reminder": "deadline_reminder", "complaint_overdue": "deadline_overdue",
          "complaint_overdue_long": "deadline_overdue_long"}


def forward(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    for old, new in RENAME.items():
        Rule.objects.filter(check_code__in=(old, new)).update(check_code=new, subject_kind="complaint")


def backward(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    for old, new in RENAME.items():
        Rule.objects.filter(check_code=new, subject_kind="complaint").update(check_code=old)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0007_escalation_orders_for_complaints_and_proposals")]

    operations = [
        migrations.AddField(
            model_name="rule", name="subject_kind",
            field=models.CharField(default="case", max_length=16, verbose_name="监察对象"),
        ),
        migrations.AlterField(
            model_name="rule", name="check_code",
            field=models.CharField(choices=[
                ("committed_reminder", "承诺时限到期前提醒"), ("committed_overdue", "超承诺时限"),
                ("statutory_overdue", "超法定时限"), ("step_overdue", "环节超时"), ("delivery_late", "办结后未按时送达"),
                ("delivery_statutory", "超法定期限送达证照"), ("deemed_approval", "超时默许"),
                ("no_reason", "不予受理/不予许可未说明理由"), ("second_notice", "二次补正告知"), ("fee_irregular", "乱收费"),
                ("fee_above_minimum", "未按下限收费"), ("step_order", "环节缺失或顺序颠倒"), ("off_book", "体外循环"),
                ("deadline_reminder", "期限到期前提醒"), ("deadline_overdue", "超期"), ("deadline_overdue_long", "严重超期"),
            ], max_length=32, verbose_name="检查内容"),
        ),
        migrations.RunPython(forward, backward),
    ]
