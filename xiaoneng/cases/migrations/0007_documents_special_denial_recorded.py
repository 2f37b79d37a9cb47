"""Documents of issue 10: §45 special-procedure notices and denial decisions; every document keeps when it
was recorded apart from its date (a deemed-approval notice is dated when the statutory limit passed); an
applicant message may be recorded as not needed (the case was decided before the platform learnt of it)."""

from django.db import migrations, models


def recorded_is_issued(apps, schema_editor):
    CaseDocument = apps.get_model("cases", "CaseDocument")
    CaseDocument.objects.update(recorded_at=models.F("issued_at"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_event_source_per_system")]

    operations = [
        migrations.AddField(
            model_name="casedocument",
            name="recorded_at",
            field=models.DateTimeField(null=True, verbose_name="记录时间"),
        ),
        migrations.RunPython(recorded_is_issued, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="casedocument",
            name="recorded_at",
            field=models.DateTimeField(verbose_name="记录时间"),
        ),
        migrations.AlterField(
            model_name="casedocument",
            name="kind",
            field=models.CharField(choices=[
                ("one_time_notice", "一次性告知书"), ("refusal_decision", "不予受理决定书"),
                ("extension_notice", "延长审查期限告知书"), ("deemed_notice", "超时默许告知书"),
                ("special_notice", "特别程序告知书"), ("denial_decision", "不予行政许可决定书"),
            ], max_length=20, verbose_name="文书类型"),
        ),
        migrations.AlterField(
            model_name="applicantmessage",
            name="status",
            field=models.CharField(choices=[
                ("pending", "待发送"), ("sent", "已发送"), ("failed", "发送失败"), ("no_phone", "申请人未留手机号码"),
                ("cancelled", "已取消"), ("not_needed", "无须发送"),
            ], default="pending", max_length=10, verbose_name="状态"),
        ),
        migrations.AddField(
            model_name="casedocument",
            name="procedure",
            field=models.CharField(blank=True, max_length=20, verbose_name="特别程序"),
        ),
    ]
