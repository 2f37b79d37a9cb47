"""Event ids of department systems become unique per department and source system, not per token
(issue 9): CaseEvent.source "c:<api client id>" → "d:<department id>:<system>", the key
`cases.ingest.client_source_key` gives today (written out here: a migration must not follow later code).

Two tokens of one department and system that already sent the same event_id (the doubling this fixes) cannot
share a key without breaking the uniqueness of (source, event_id): the later token's system is then made its
own ("<system>#<token id>") and its events keep their own ids. Nothing is deleted; the events were folded.

Backwards: every event of a token gets its "c:<id>" back from CaseEvent.client (which token sent it)."""

from django.db import migrations


def _key(department_id, system):
    return f"d:{department_id}:{system}"[:80]


def forward(apps, schema_editor):
    ApiClient = apps.get_model("accounts", "ApiClient")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for client in ApiClient.objects.order_by("id"):
        mine = CaseEvent.objects.filter(source=f"c:{client.pk}")
        key = _key(client.department_id, client.system)
        # An earlier token of the same department and system already moved an event id this one used too.
        if mine.filter(event_id__in=CaseEvent.objects.filter(source=key).values("event_id")).exists():
            suffix = f"#{client.pk}"
            client.system = client.system[: 60 - len(suffix)] + suffix
            client.save(update_fields=["system"])
            key = _key(client.department_id, client.system)
        mine.update(source=key)


def backward(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for client_id in CaseEvent.objects.filter(source__startswith="d:").values_list("client_id", flat=True).order_by().distinct():
        if client_id is not None:
            CaseEvent.objects.filter(source__startswith="d:", client_id=client_id).update(source=f"c:{client_id}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_apiclient_system"),
        ("cases", "0005_case_check_schedule"),
    ]

    operations = [migrations.RunPython(forward, backward)]
