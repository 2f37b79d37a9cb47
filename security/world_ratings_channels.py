"""The ratings channels' part of the permission matrix's world (issue 12 §1): per bureau an ended case with
its open rating link, and a case already rated through its link; window contacts and counter tablets are
added here too. Built through the services; called once from build_world()."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def build_ratings_channels(w) -> None:
    from xiaoneng.cases.ingest import case_events_ingest
    from xiaoneng.cases.models import Case
    from xiaoneng.ratings.models import Channel
    from xiaoneng.ratings.services.links import link_for_case
    from xiaoneng.ratings.services.rating import rating_record

    # The public page checks the link against the real clock: the cases end just before now.
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=2)
    evs = []
    for key, code in (("a", "SP001"), ("b", "ZR001")):
        for case_no in (f"RL-{key.upper()}", f"RR-{key.upper()}"):
            evs += [{"event_id": f"rl-{case_no}-1", "case_no": case_no, "service_code": code, "type": "received",
                     "occurred_at": start.isoformat(), "handler": f"handler_{key}",
                     "applicant": {"name": "李四", "id_no": "330102199001015678", "phone": "13812340000"}},
                    {"event_id": f"rl-{case_no}-2", "case_no": case_no, "service_code": code, "type": "accepted",
                     "occurred_at": start.isoformat()},
                    {"event_id": f"rl-{case_no}-3", "case_no": case_no, "service_code": code, "type": "completed",
                     "occurred_at": (now - timedelta(hours=1)).isoformat()}]
    res = case_events_ingest(events=evs, now=now, source="security-matrix")
    assert not res.errors, res.errors
    links, rated = {}, {}
    for key in ("a", "b"):
        links[key] = link_for_case(Case.objects.get(case_no=f"RL-{key.upper()}"), now).token
        done = Case.objects.get(case_no=f"RR-{key.upper()}")
        rated[key] = link_for_case(done, now).token
        rating_record(case=done, level=4, channel=Channel.LINK, now=now)
    w.obj["rating_links"] = links
    w.obj["rated_links"] = rated

    # Window contacts and counter tablets per bureau (kiosk A waits for pairing: its one-time code is in the world).
    from xiaoneng.ratings.services import contacts as S

    st = w.staff
    kiosks = {"a": S.kiosk_create(by=st["window_a"], name="3号窗口", now=now),
              "b": S.kiosk_create(by=st["head_b"], name="1号窗口", now=now)}
    contacts = {"a": S.contact_record(by=st["window_a"], kind="consultation", applicant_name="王五",
                                      applicant_phone="13800001111", now=now),
                "b": S.contact_record(by=st["handler_b"], kind="collection", now=now)}
    w.obj["kiosks"] = {k: v.pk for k, v in kiosks.items()}
    w.obj["kiosk_code"] = S.pairing_code(kiosks["a"])
    w.obj["contacts_rl"] = {k: v.number for k, v in contacts.items()}
