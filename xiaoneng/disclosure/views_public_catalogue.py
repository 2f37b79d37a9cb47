"""Public disclosure pages (政务公开, no account): the index of departments by level, a department's catalogue in
force with its entries, an entry with its versions, and an entry's attachment.

Only accepted catalogues are public (selectors_catalogue.public_*): a department whose catalogue is still a
draft, filed or returned has no page (404). Phone width first; nothing personal is shown (entries are what the
department chose to publish; who entered them is not said)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors_catalogue as S
from .models import EntryStatus, Level

PAGE_SIZE = 20


@require_GET
def public_index(request):
    groups = S.public_catalogues()
    levels = [(value, label, groups[value]) for value, label in Level.choices]
    return render(request, "disclosure/catalogue/public_index.html", {"levels": levels})


@require_GET
def public_department(request, code: str):
    cat = S.public_catalogue(code)
    items = S.public_items(cat)
    last = S.last_published(cat.department_id)
    rows = [{"item": i, "last": last.get(i.code)} for i in items]
    item = (request.GET.get("item") or "").upper()[:32]
    entries = S.public_entries().filter(department_id=cat.department_id).order_by("-published_at", "-id")
    names = {i.code: i.name for i in items}
    if item:
        entries = entries.filter(item_code=item)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disclosure/catalogue/public_department.html", {
        "cat": cat, "dept": cat.department, "rows": rows, "page": page, "item": item if item in names else "",
        "item_name": names.get(item, ""), "query": f"item={item}" if item in names else "",
    })


@require_GET
def public_entry(request, number: str):
    e = S.public_entry(number)
    history = S.history_of(e)
    current = next((h for h in history if h.status == EntryStatus.PUBLISHED), None)
    return render(request, "disclosure/catalogue/public_entry.html", {
        "e": e, "history": history, "current": current, "withdrawn": e.status == EntryStatus.WITHDRAWN,
    })


@require_GET
def public_attachment(request, number: str):
    """An entry's attachment (checked by content and re-encoded when it was uploaded); none for a withdrawn one."""
    e = S.public_entry(number)
    if e.status == EntryStatus.WITHDRAWN or not e.attachment:
        raise Http404("没有附件。")
    try:
        fh = e.attachment.open("rb")
    except OSError:
        raise Http404("附件不存在。") from None
    resp = FileResponse(fh, content_type=e.attachment_type or "application/octet-stream")
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Content-Disposition"] = "inline"
    return resp
