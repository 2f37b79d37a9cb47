"""Cards, supervision orders and rectification proposals name their subject by kind and id
(`subject_kind`, `subject_id`) instead of one nullable foreign key per kind (`case`, `complaint`).

Every existing row's case_id / complaint_id is carried into the new columns, and back when migrating
backwards; the per-kind unique indexes and "exactly one subject" checks give way to one unique constraint
(subject_kind, subject_id, rule, deadline_key) on cards, which is also the index finding a subject's cards.
"""

from django.db import migrations, models
from django.db.models import F

# The kinds as subjects.py names them (a migration keeps its own copy: the module may change later).
KINDS = (("case", "case_id"), ("complaint", "complaint_id"))
MODELS = ("Warning", "SupervisionOrder", "SupervisionProposal")


def carry_forward(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("supervision", name)
        for kind, column in KINDS:
            model.objects.filter(**{f"{column}__isnull": False}).update(subject_kind=kind, subject_id=F(column))


def carry_back(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("supervision", name)
        for kind, column in KINDS:
            model.objects.filter(subject_kind=kind).update(**{column: F("subject_id")})


def _subject_fields(model_name, *, final):
    kind = models.CharField(max_length=16, verbose_name="对象类型") if final else models.CharField(
        default="", max_length=16, verbose_name="对象类型")
    sid = models.BigIntegerField(verbose_name="对象") if final else models.BigIntegerField(
        null=True, verbose_name="对象")
    op = migrations.AlterField if final else migrations.AddField
    return [op(model_name=model_name, name="subject_kind", field=kind),
            op(model_name=model_name, name="subject_id", field=sid)]


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0008_rule_subject_kind"),
    ]

    operations = [
        *_subject_fields("warning", final=False),
        *_subject_fields("supervisionorder", final=False),
        *_subject_fields("supervisionproposal", final=False),
        # Before carrying the data (backwards: re-added after the foreign keys are filled in again).
        migrations.RemoveConstraint(model_name="supervisionorder", name="supervision_order_one_subject"),
        migrations.RemoveConstraint(model_name="supervisionproposal", name="supervision_proposal_one_subject"),
        migrations.RemoveConstraint(model_name="warning", name="supervision_warning_one_subject"),
        migrations.RemoveConstraint(model_name="warning", name="supervision_warning_once"),
        migrations.RemoveConstraint(model_name="warning", name="supervision_warning_complaint_once"),
        migrations.RunPython(carry_forward, carry_back),
        migrations.RemoveField(model_name="supervisionorder", name="case"),
        migrations.RemoveField(model_name="supervisionorder", name="complaint"),
        migrations.RemoveField(model_name="supervisionproposal", name="case"),
        migrations.RemoveField(model_name="supervisionproposal", name="complaint"),
        migrations.RemoveField(model_name="warning", name="case"),
        migrations.RemoveField(model_name="warning", name="complaint"),
        *_subject_fields("warning", final=True),
        *_subject_fields("supervisionorder", final=True),
        *_subject_fields("supervisionproposal", final=True),
        migrations.AddIndex(
            model_name="supervisionorder",
            index=models.Index(fields=["subject_kind", "subject_id"], name="supervision_order_subject"),
        ),
        migrations.AddIndex(
            model_name="supervisionproposal",
            index=models.Index(fields=["subject_kind", "subject_id"], name="supervision_proposal_subject"),
        ),
        migrations.AddConstraint(
            model_name="warning",
            constraint=models.UniqueConstraint(fields=("subject_kind", "subject_id", "rule", "deadline_key"),
                                               name="supervision_warning_once"),
        ),
    ]
