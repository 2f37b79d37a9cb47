"""Migration cases 0010 (helper "figures"): every case that existed before the upgrade gets a look-up code, drawn
in one set-based statement (no row-by-row loop: a county with millions of cases migrates in seconds), each code
8 characters of the unambiguous alphabet; codes differ from case to case."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xiaoneng.cases.models import QUERY_CODE_ALPHABET, Case
from xiaoneng.supervision.tests.conftest import (  # noqa: F401  (fixtures)
    _supervision_env,
    at,
    ev,
    ingest,
    items,
    make_item,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_upgrade_gives_every_existing_case_a_code(ingest):  # noqa: F811
    ingest([ev(f"M{i}", "received", "2026-11-02 09:00") for i in range(40)], now=at("2026-11-02 09:05"))
    executor = MigrationExecutor(connection)
    before, after = [("cases", "0009_case_intake_department")], executor.loader.graph.leaf_nodes("cases")
    try:
        executor.migrate(before)
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM cases_case")
            assert cur.fetchone()[0] == 40
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        codes = list(Case.objects.values_list("query_code", flat=True))
        assert len(codes) == 40 and len(set(codes)) == 40
        assert all(re.fullmatch(f"[{QUERY_CODE_ALPHABET}]{{8}}", c) for c in codes)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
