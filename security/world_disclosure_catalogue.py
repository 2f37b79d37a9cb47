"""The disclosure catalogue's part of the permission matrix's world (issue 14): in bureau A and bureau B an
accepted catalogue (from the department template) with one published entry each (A's with an attachment), and
in bureau A a revision in draft (version 2) with an item — built through the real services."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

T_DISC = datetime(2026, 10, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 60, 20)).save(buf, "PNG")
    return buf.getvalue()


def build_disclosure_catalogue(w) -> None:
    from xiaoneng.disclosure.services import catalogues as C
    from xiaoneng.disclosure.services import entries as E

    depts, st = w.obj["depts"], w.staff
    sup = st["supervisor"]
    cats, entries = {}, {}
    for key, head in (("a", st["head_a"]), ("b", st["head_b"])):
        cat = C.catalogue_create(department=depts[key], by=head, now=T_DISC)
        C.catalogue_file(catalogue=cat, by=head, now=T_DISC)
        cats[key] = C.catalogue_accept(catalogue=cat, by=sup, now=T_DISC)
        attachment = E.clean_attachment([("收支表.png", _png())]) if key == "a" else None
        entries[key] = E.entry_publish(department=depts[key], item_code="CZSZ", title=f"2026年9月财政资金收支（{key}）",
                                       body="收入 100 万元，支出 80 万元。", attachment=attachment, by=head,
                                       now=T_DISC).number
    draft = C.catalogue_revise(department=depts["a"], note="矩阵修订", by=st["head_a"], now=T_DISC)
    item = C.catalogue_item_add(catalogue=draft, code="MXDRAFT", name="矩阵草稿事项", category="other",
                                frequency="yearly", by=st["head_a"], now=T_DISC)
    w.obj["disc_cat"] = {"catalogues": {"a": cats["a"].pk, "b": cats["b"].pk, "draft": draft.pk},
                         "items": {"a": cats["a"].items.get(code="CZSZ").pk, "b": cats["b"].items.get(code="CZSZ").pk,
                                   "draft": item.pk},
                         "entries": entries}
