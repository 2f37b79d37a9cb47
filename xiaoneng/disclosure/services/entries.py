"""Disclosure entries (公开信息): what a department publishes against an item of its current, accepted catalogue.

`entry_publish` is the one way in — the staff form and `POST /api/v1/disclosure/entries` alike: text, an
optional table (rows of strings) and attachment (checked by content through core/uploads.py), the effective
time (`published_at`: not more than a minute ahead, not before 2000). Each entry is numbered
GK-<department code>-<year>-<seq> (the year of its publication, a sequence per department and year). Publishing
closes the department's open findings of that item (services/findings.findings_rectify_for_entry).

A correction (`entry_correct`) is version n+1 with its reason, numbered <first number>-<n>; the old version turns
superseded and stays readable (已更正). The office withdraws an entry (`entry_withdraw`, reason required: who,
when and why are kept on the entry).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import ApiClient, Department, Staff
from xiaoneng.core.errors import DomainError, NotFound, NotPermitted
from xiaoneng.core.uploads import CleanFile, clean_uploads

from ..models import CatalogueItem, DisclosureEntry, EntryStatus
from .catalogues import _reaches, is_office
from .findings import findings_rectify_for_entry

MAX_ROWS, MAX_COLS, MAX_CELL = 200, 20, 500
MAX_TITLE, MAX_BODY, MAX_REASON = 200, 50_000, 1000
MAX_ATTACHMENT_MB = 20
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(minutes=1)
_EXTERNAL = re.compile(r"^[\x21-\x7e]{1,64}$")  # printable ASCII, no spaces


def may_publish(staff: Staff, department: Department) -> bool:
    """Heads and handlers of the department (or of a unit above it) publish its entries."""
    return staff is not None and staff.has_any_role(R.HEAD, R.HANDLER) and _reaches(staff, department)


def clean_attachment(files) -> CleanFile | None:
    """One uploaded attachment (image or PDF) checked by content; None when none was sent."""
    files = [f for f in (files or []) if f]
    if not files:
        return None
    return clean_uploads(files, max_files=1, max_file_mb=MAX_ATTACHMENT_MB, field="attachment")[0]


def clean_table(table) -> list[list[str]]:
    """A table as a list of rows of strings: at most 200 rows × 20 columns, cells of at most 500 characters.
    The first row is the heading. None or an empty list is no table."""
    if table is None:
        return []
    if not isinstance(table, list):
        raise DomainError("表格（table）应为由行组成的数组，每行是由单元格字符串组成的数组。", field="table")
    if len(table) > MAX_ROWS:
        raise DomainError(f"表格最多 {MAX_ROWS} 行（含表头），现有 {len(table)} 行。", field="table")
    out = []
    for r, row in enumerate(table, 1):
        if not isinstance(row, list):
            raise DomainError(f"表格第 {r} 行应为单元格数组。", field="table")
        if len(row) > MAX_COLS:
            raise DomainError(f"表格第 {r} 行有 {len(row)} 列，最多 {MAX_COLS} 列。", field="table")
        cells = []
        for c, cell in enumerate(row, 1):
            if not isinstance(cell, str):
                raise DomainError(f"表格第 {r} 行第 {c} 列应为字符串。", field="table")
            if len(cell) > MAX_CELL:
                raise DomainError(f"表格第 {r} 行第 {c} 列超过 {MAX_CELL} 个字。", field="table")
            if "\x00" in cell:
                raise DomainError(f"表格第 {r} 行第 {c} 列含有无效字符。", field="table")
            cells.append(cell.strip())
        out.append(cells)
    while out and not any(out[-1]):
        out.pop()
    return out


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError("请填写标题。", field="title")
    if len(title) > MAX_TITLE:
        raise DomainError(f"标题最长 {MAX_TITLE} 个字。", field="title")
    if len(body) > MAX_BODY:
        raise DomainError(f"正文最长 {MAX_BODY} 个字。", field="body")
    if "\x00" in title or "\x00" in body:
        raise DomainError("标题或正文含有无效字符。", field="body")
    return title, body


def _clean_when(published_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if published_at is None:
        return now
    if timezone.is_naive(published_at):
        raise DomainError("公开时间必须带时区，例如 2026-10-09T09:00:00+08:00。", field="published_at")
    if published_at > now + FUTURE_SLACK:
        raise DomainError("公开时间不能晚于当前时间。", field="published_at")
    if published_at < EARLIEST:
        raise DomainError("公开时间不能早于 2000 年。", field="published_at")
    return published_at


def current_item(department: Department, item_code: str) -> CatalogueItem:
    """The item `item_code` of the department's current accepted catalogue; NotFound (field "item") otherwise —
    the same answer for a code of another department as for one that exists nowhere."""
    code = (item_code or "").strip().upper()
    item = None
    if code and len(code) <= 32:
        item = CatalogueItem.objects.select_related("catalogue").filter(
            catalogue__department=department, catalogue__current=True, code=code).first()
    if item is None:
        if not code:
            raise DomainError("请选择公开事项（item）。", field="item")
        raise NotFound(f"公开事项“{code[:32]}”不在本单位现行公开目录中。", field="item")
    return item


def _next_number(department: Department, year: int) -> str:
    prefix = f"GK-{department.code}-{year}-"
    taken = DisclosureEntry.objects.filter(department=department, version=1, number__startswith=prefix)
    seq = 0
    for number in taken.values_list("number", flat=True):
        tail = number[len(prefix):]
        if tail.isdigit():
            seq = max(seq, int(tail))
    return f"{prefix}{seq + 1:04d}"


def _store(entry: DisclosureEntry, attachment: CleanFile | None) -> None:
    if attachment is None:
        return
    entry.attachment.save(f"{attachment.sha256[:16]}.{attachment.ext}", ContentFile(attachment.content), save=False)
    entry.attachment_name = attachment.name[:200]
    entry.attachment_type = attachment.content_type


def _actor(department: Department, by: Staff | None, client: ApiClient | None) -> None:
    if client is not None:
        if client.department_id != department.pk or not client.is_active:
            raise NotPermitted("部门系统只能发布本单位的公开信息。")
    elif by is not None and not may_publish(by, department):
        raise NotPermitted("只有本单位的负责人和承办人可以发布公开信息。")


@transaction.atomic
def entry_publish(*, department: Department, item_code: str, title: str, body: str = "", table=None,
                  attachment: CleanFile | None = None, published_at: dt.datetime | None = None,
                  by: Staff | None = None, client: ApiClient | None = None, external_id: str = "",
                  now: dt.datetime) -> DisclosureEntry:
    """Publish one entry against the department's current catalogue item `item_code` (see the module)."""
    _actor(department, by, client)
    title, body = _clean_text(title, body)
    rows = clean_table(table)
    when = _clean_when(published_at, now)
    external_id = (external_id or "").strip()
    if external_id and not _EXTERNAL.match(external_id):
        raise DomainError("外部编号（external_id）为 1—64 个可见 ASCII 字符，不含空格。", field="external_id")
    if not body and not rows and attachment is None:
        raise DomainError("正文、表格和附件至少填写一项。", field="body")
    item = current_item(department, item_code)
    Department.objects.select_for_update().filter(pk=department.pk).first()  # numbers of one department in turn
    if external_id and DisclosureEntry.objects.filter(department=department, external_id=external_id).exists():
        raise DomainError(f"外部编号“{external_id}”已使用。", field="external_id", code="conflict")
    year = timezone.localtime(when).year
    entry = DisclosureEntry(number=_next_number(department, year), department=department, item=item,
                            item_code=item.code, title=title, body=body, table=rows, published_at=when,
                            created_at=now, created_by=by, client=client, external_id=external_id)
    _store(entry, attachment)
    entry.save()
    findings_rectify_for_entry(entry, now=now)
    return entry


@transaction.atomic
def entry_correct(*, entry: DisclosureEntry, reason: str, title: str, body: str = "", table=None,
                  attachment: CleanFile | None = None, keep_attachment: bool = True,
                  published_at: dt.datetime | None = None, by: Staff | None = None,
                  client: ApiClient | None = None, now: dt.datetime) -> DisclosureEntry:
    """Correct a published entry: version n+1 with the reason replaces it; the old version turns superseded and
    stays readable. Only the latest published version can be corrected."""
    old = DisclosureEntry.objects.select_for_update().select_related("department", "item").get(pk=entry.pk)
    _actor(old.department, by, client)
    if old.status != EntryStatus.PUBLISHED:
        raise DomainError(f"该信息{old.get_status_display()}，只能更正现行版本。", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写更正原因。", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"更正原因最长 {MAX_REASON} 个字。", field="reason")
    title, body = _clean_text(title, body)
    rows = clean_table(table)
    when = _clean_when(published_at, now)
    has_file = attachment is not None or (keep_attachment and bool(old.attachment))
    if not body and not rows and not has_file:
        raise DomainError("正文、表格和附件至少填写一项。", field="body")
    base = old.number if old.version == 1 else old.number.rsplit("-", 1)[0]
    new = DisclosureEntry(number=f"{base}-{old.version + 1}", department=old.department, item=old.item,
                          item_code=old.item_code, title=title, body=body, table=rows, published_at=when,
                          created_at=now, created_by=by, client=client, version=old.version + 1,
                          supersedes=old, correction_reason=reason)
    if attachment is not None:
        _store(new, attachment)
    elif keep_attachment and old.attachment:
        new.attachment, new.attachment_name, new.attachment_type = (old.attachment.name, old.attachment_name,
                                                                     old.attachment_type)
    # The external id moves to the version in force: a department system re-sending it finds the current one.
    new.external_id, old.external_id = old.external_id, ""
    old.status = EntryStatus.SUPERSEDED
    old.save(update_fields=["status", "external_id"])
    new.save()
    findings_rectify_for_entry(new, now=now)
    return new


@transaction.atomic
def entry_withdraw(*, entry: DisclosureEntry, reason: str, by: Staff | None, now: dt.datetime) -> DisclosureEntry:
    """The office withdraws a published entry (撤回), with its reason: it leaves the public lists; its page says
    it was withdrawn, when and why."""
    if by is not None and not is_office(by):
        raise NotPermitted("只有效能办（效能监察员）可以撤回公开信息。")
    e = DisclosureEntry.objects.select_for_update().get(pk=entry.pk)
    if e.status != EntryStatus.PUBLISHED:
        raise DomainError(f"该信息{e.get_status_display()}，不能撤回。", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("撤回须说明理由。", field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(f"撤回理由最长 {MAX_REASON} 个字。", field="reason")
    e.status, e.withdrawn_at, e.withdrawn_by, e.withdraw_reason = EntryStatus.WITHDRAWN, now, by, reason
    e.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
    return e

