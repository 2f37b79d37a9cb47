"""Idempotency keys belong to their submitter (issue 9 item 2): the key is unique per scope instead of across
the whole platform, and the hash of the request's content is kept beside it.

Complaints already stored with a key get the scope of the submitter that sent it (its API client, or the staff
member who entered it). Keys of the old public form were not bound to anyone: they get a scope no new
submission has ("legacy"), so they can never answer a new request. Their content was not hashed: a stored key
without a hash answers a retry with 409, never with the complaint.
"""

from django.db import migrations, models
from django.db.models.functions import Cast, Concat


def scope_existing_keys(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    keyed = Complaint.objects.filter(idempotency_key__isnull=False)
    keyed.filter(client__isnull=False).update(idempotency_scope=Concat(
        models.Value("client:"), Cast("client_id", models.CharField())))
    keyed.filter(client__isnull=True, created_by__isnull=False).update(idempotency_scope=Concat(
        models.Value("staff:"), Cast("created_by_id", models.CharField())))
    keyed.filter(client__isnull=True, created_by__isnull=True).update(idempotency_scope="legacy")


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0006_complainant_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="idempotency_scope",
            field=models.CharField(blank=True, default="", editable=False, max_length=48),
        ),
        migrations.AddField(
            model_name="complaint",
            name="request_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(scope_existing_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="complaint",
            name="idempotency_key",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.UniqueConstraint(fields=("idempotency_scope", "idempotency_key"),
                                               name="complaints_idempotency_per_submitter"),
        ),
    ]
