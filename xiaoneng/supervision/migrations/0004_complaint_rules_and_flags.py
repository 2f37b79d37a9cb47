"""Seed the complaint rules (defaults.py) and turn the complaint centre's FlagRecords into cards.

A FlagRecord was (complaint, stage, level, due date, raised at). Each becomes the card the engine would have
issued: rule complaint-reminder / -yellow / -red by level, key "<stage>@<due>", department as
complaint_watch.py decides (lead department for the handling stage, else the supervision office), crossed and
issued at `raised_at`. A card whose clock still runs stays "issued"; one about a clock already over (the
complaint moved on or ended) is closed as confirmed, with a note in its history, so the departments' lists
of cards to answer are not flooded by history. Runs before complaints drops the FlagRecord table.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from xiaoneng.supervision.defaults import rules_ensure_defaults
    from xiaoneng.supervision.engine import iso_key

    rules_ensure_defaults(apps)
    FlagRecord = apps.get_model("complaints", "FlagRecord")
    if not FlagRecord.objects.exists():
        return
    Rule = apps.get_model("supervision", "Rule")
    Warning = apps.get_model("supervision", "Warning")
    WarningAction = apps.get_model("supervision", "WarningAction")
    Department = apps.get_model("accounts", "Department")
    Dispatch = apps.get_model("complaints", "Dispatch")
    rules = {r.level: r for r in Rule.objects.filter(code__in=("complaint-reminder", "complaint-yellow", "complaint-red"))}
    office = (Department.objects.filter(kind="office", is_active=True).order_by("path").values_list("id", flat=True).first()
              or Department.objects.filter(parent__isnull=True).order_by("path").values_list("id", flat=True).first())
    leads = {}
    for cid, did, at in Dispatch.objects.filter(is_lead=True).order_by("dispatched_at", "id").values_list(
            "complaint_id", "department_id", "dispatched_at"):
        leads.setdefault(cid, []).append((at, did))
    stage_text = {"accept": "受理", "handle": "办理", "reply": "答复"}
    cards = []
    for fr in FlagRecord.objects.select_related("complaint", "complaint__office_handler").order_by("id").iterator():
        c = fr.complaint
        rule = rules.get(fr.level)
        lead = None
        if fr.stage == "handle":
            for at, did in leads.get(c.pk, ()):
                if at <= fr.raised_at:
                    lead = did
        dept = lead or (c.office_handler.department_id if c.office_handler_id else None) or office
        if rule is None or dept is None:
            continue
        live = c.is_open and c.due_stage == fr.stage and c.due_at == fr.due_at
        what = stage_text.get(fr.stage, "")
        detail = (f"投诉{what}期限即将到期" if fr.level == "reminder" else f"超过投诉{what}期限") + "（迁移自投诉预警记录）"
        cards.append(Warning(
            complaint_id=c.pk, rule=rule, level=fr.level, deadline_key=f"{fr.stage}@{iso_key(fr.due_at)}",
            status="issued" if live else "confirmed", department_id=dept,
            handler_id=None if lead else c.office_handler_id, crossed_at=fr.raised_at, issued_at=fr.raised_at,
            detail=detail, closed_at=None if live else (c.closed_at or fr.raised_at), updated_at=fr.raised_at,
        ))
    Warning.objects.bulk_create(cards, batch_size=1000, ignore_conflicts=True)
    closed = Warning.objects.filter(complaint__isnull=False, status="confirmed", actions__isnull=True)
    WarningAction.objects.bulk_create([
        WarningAction(warning_id=wid, kind="confirm", by=None, at=at, from_status="issued", to_status="confirmed",
                      text="由投诉预警记录迁移：该期限已经过去，自动办结。")
        for wid, at in closed.values_list("id", "closed_at")
    ], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_complaint_cards"),
        ("complaints", "0002_categories"),
    ]
    run_before = [("complaints", "0003_delete_flagrecord")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
