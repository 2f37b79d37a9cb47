"""The rating QR code on a case's printed documents (issue 12 §1), through core/documents.py: cases renders
what ratings provides without importing it. Running and ended cases both carry it; the link is the case's
one link (reprints show the same code), and it works once the case has ended."""

from __future__ import annotations

import base64
import urllib.parse

from django.test import Client
from django.urls import reverse

from xiaoneng.cases.models import Case
from xiaoneng.cases.services import case_refuse, case_request_supplement
from xiaoneng.core.documents import document_extras, register_document_extra, unregister_document_extra
from xiaoneng.ratings.models import RatingLink

from .conftest import at, ev


def _doc_page(client, case, doc) -> str:
    r = client.get(reverse("cases:document", args=[case.case_no, doc.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_a_running_cases_one_time_notice_carries_the_rating_qr(ingest, client, staff, settings):
    settings.XIAONENG_PUBLIC_URL = "https://xn.example.gov.cn"
    ingest([ev("Q1", "received", "2026-09-28 09:00")], now=at("2026-09-28 09:05"))
    case = Case.objects.get(case_no="Q1")
    doc = case_request_supplement(case=case, materials=["食品经营许可申请书"], by=staff["window"], now=at("2026-09-28 10:00"))
    client.force_login(staff["window"])
    page = _doc_page(client, case, doc)
    link = RatingLink.objects.get(case=case)
    assert 'data-testid="rating-qr"' in page and "扫码评价本次服务（好差评）" in page and "办结后即可评价" in page
    assert f"https://xn.example.gov.cn/r/{link.token}/" in page and "data:image/svg+xml" in page
    # A reprint shows the same link.
    assert f"/r/{link.token}/" in _doc_page(client, case, doc) and RatingLink.objects.count() == 1
    # Before the case ends the link's page says so.
    assert "办件尚未办结，办结后即可评价" in Client().get(f"/r/{link.token}/").content.decode()


def test_a_refusal_decision_carries_the_qr_and_the_link_works(ingest, client, staff, settings):
    settings.XIAONENG_PUBLIC_URL = "https://xn.example.gov.cn"
    ingest([ev("Q2", "received", "2026-09-28 09:00")], now=at("2026-09-28 09:05"))
    case = Case.objects.get(case_no="Q2")
    doc = case_refuse(case=case, reason="不属于本机关职权范围。", by=staff["window"], now=at("2026-09-28 10:00"))
    client.force_login(staff["head"])
    page = _doc_page(client, case, doc)
    assert 'data-testid="rating-qr"' in page and "欢迎您对本次服务作出评价" in page
    link = RatingLink.objects.get(case=case)
    # The QR code encodes the link (its SVG data URI draws it; the text beside it is the same link).
    uri = page.split('src="data:image/svg+xml', 1)[1].split('"', 1)[0]
    assert uri  # an inline SVG image, no extra request
    assert f"/r/{link.token}/" in page


def test_the_port_joins_providers_and_skips_a_failing_one(ended_case):
    case = ended_case()

    def boom(case, kind):
        raise RuntimeError("provider broke")

    def other(case, kind):
        return "<p>另一项</p>" if kind == "one_time_notice" else None

    register_document_extra(boom)
    register_document_extra(other)
    try:
        html = str(document_extras(case, "one_time_notice"))
        assert 'data-testid="rating-qr"' in html and "<p>另一项</p>" in html
        assert "另一项" not in str(document_extras(case, "refusal_decision"))
    finally:
        unregister_document_extra(boom)
        unregister_document_extra(other)


def test_the_qr_svg_decodes_to_a_data_uri(ended_case):
    from xiaoneng.ratings.services.links import qr_data_uri

    uri = qr_data_uri("https://xn.example.gov.cn/r/abc/")
    assert uri.startswith("data:image/svg+xml")
    body = urllib.parse.unquote(uri.split(",", 1)[1]) if ";base64" not in uri else base64.b64decode(uri.split(",", 1)[1]).decode()
    assert "<svg" in body
