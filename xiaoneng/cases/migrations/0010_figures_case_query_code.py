"""Case.query_code (查询码, issue 14 §1): the column, then every existing case given a random code in ONE
set-based statement per database (a county with millions of cases migrates in seconds, not a row at a time):
PostgreSQL draws from gen_random_uuid() (the server's strong random source; bytes 0–5 and 10–11 are fully
random), SQLite from randomblob(). New cases get theirs from the ingest (cases.models.new_query_codes)."""

from django.db import migrations, models

import xiaoneng.cases.models

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 8


def backfill(apps, schema_editor):
    conn = schema_editor.connection
    table = conn.ops.quote_name("cases_case")
    if conn.vendor == "postgresql":
        chars = " || ".join(f"substr('{ALPHABET}', (get_byte(b, {i}) & 31) + 1, 1)" for i in (0, 1, 2, 3, 4, 5, 10, 11))
        sql = (f"UPDATE {table} AS c SET query_code = s.code FROM "
               f"(SELECT id, {chars} AS code FROM (SELECT id, uuid_send(gen_random_uuid()) AS b FROM {table}) r) s "
               f"WHERE c.id = s.id")
    else:
        # randomblob(8) per row, its bytes read back one at a time (unicode() of a one-byte blob would fail
        # on bytes ≥ 0x80, so hex() and instr() on the hex digits instead).
        def byte(i):
            h = f"substr(r.h, {2 * i + 1}, 2)"
            hi = f"(instr('0123456789ABCDEF', substr({h}, 1, 1)) - 1)"
            lo = f"(instr('0123456789ABCDEF', substr({h}, 2, 1)) - 1)"
            return f"substr('{ALPHABET}', ((({hi} * 16) + {lo}) & 31) + 1, 1)"

        chars = " || ".join(byte(i) for i in range(LENGTH))
        sql = (f"UPDATE {table} SET query_code = (SELECT {chars} FROM (SELECT hex(randomblob({LENGTH})) AS h) r "
               f"WHERE {table}.id = {table}.id)")
    with conn.cursor() as cur:
        cur.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_case_intake_department"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="query_code",
            field=models.CharField(default="", editable=False, max_length=8, verbose_name="查询码"),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="case",
            name="query_code",
            field=models.CharField(default=xiaoneng.cases.models.new_query_code, editable=False, max_length=8,
                                   verbose_name="查询码"),
        ),
    ]
