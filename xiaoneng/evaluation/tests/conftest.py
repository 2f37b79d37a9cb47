"""Fixtures of the evaluation tests: the supervision tests' world (departments, staff, calendar, items, the real
ingest) and ended cases made through the real services (ratings' fixture)."""

from xiaoneng.ratings.tests.conftest import ended_case  # noqa: F401
from xiaoneng.supervision.tests.conftest import (  # noqa: F401  (fixtures, registered by being imported here)
    TZ,
    _supervision_env,
    accepted_case,
    at,
    ev,
    ingest,
    items,
    make_item,
)
