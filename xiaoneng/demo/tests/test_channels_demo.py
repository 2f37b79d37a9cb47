"""The demo's 好差评 channels step: a tablet at every department window, a year of window contacts, most rated on
the tablet through the services (channel kiosk), a few departments visibly worse; the same seed, the same."""

from datetime import UTC, datetime

import pytest

from xiaoneng.demo.county import FOUNDATION, build_county
from xiaoneng.ratings.models import Channel, Kiosk, Rating, WindowContact

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_channels_step_builds_contacts_and_tablet_ratings():
    ctx = build_county(scale="small", seed=2026, now=NOW, password="Demo-Pass-2026!", only=(*FOUNDATION, "channels"))
    contacts = WindowContact.objects.count()
    ratings = Rating.objects.filter(channel=Channel.KIOSK)
    assert ctx.counts["window_contacts"] == contacts > 20
    assert ctx.counts["kiosk_ratings"] == ratings.count() and 0.5 * contacts < ratings.count() < contacts
    assert Kiosk.objects.count() >= 5 and not Kiosk.objects.filter(revoked_at__isnull=False).exists()
    assert ratings.filter(level__lte=2).exists() and ratings.filter(level=5).exists()
    assert all(r.contact.department_id == r.department_id for r in ratings.select_related("contact")[:50])
    numbers = list(WindowContact.objects.order_by("number").values_list("number", flat=True))
    assert numbers[0].startswith("CK2025-") or numbers[0].startswith("CK2026-")
    assert ctx.timings["channels"] < 25
