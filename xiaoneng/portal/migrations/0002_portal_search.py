"""The search index's text index, in each database's own way (portal/search.py reads it):

- SQLite: an FTS5 table with the trigram tokenizer over title and body, an external-content table on
  portal_searchdocument kept in step by three triggers (so bulk writes and deletes stay in step too);
- PostgreSQL: the pg_trgm extension and GIN trigram indexes on title and body (what ILIKE '%…%' uses).
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE portal_searchdocument_fts USING fts5("
    "title, body, content='portal_searchdocument', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER portal_searchdocument_ai AFTER INSERT ON portal_searchdocument BEGIN "
    "INSERT INTO portal_searchdocument_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER portal_searchdocument_ad AFTER DELETE ON portal_searchdocument BEGIN "
    "INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER portal_searchdocument_au AFTER UPDATE ON portal_searchdocument BEGIN "
    "INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO portal_searchdocument_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS portal_searchdocument_au",
    "DROP TRIGGER IF EXISTS portal_searchdocument_ad",
    "DROP TRIGGER IF EXISTS portal_searchdocument_ai",
    "DROP TABLE IF EXISTS portal_searchdocument_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS portal_searchdoc_title_trgm ON portal_searchdocument USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS portal_searchdoc_body_trgm ON portal_searchdocument USING gin (body gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS portal_searchdoc_body_trgm",
    "DROP INDEX IF EXISTS portal_searchdoc_title_trgm",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
                             _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})),
    ]
