"""The reply and the follow-up: the reply's draft and the office's review (sent: the follow-up starts), the
public mailbox, the complainant's rating (回访, with a reopening once), and the follow-up's expiry.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.core.errors import DomainError, NotPermitted
from xiaoneng.core.government import mailbox_title

from ..conf import cfg
from ..models import (
    RATED_LEVELS,
    UNSATISFIED_LEVELS,
    ComplainantIdentity,
    Complaint,
    Dispatch,
    Rating,
    Reply,
    Status,
    TimelineEntry,
)
from ..privacy import public_reply_text
from ..transitions import TRANSITIONS, may
from ._common import (
    _due,
    _lock,
    _log,
    _require_office,
    _require_transition,
    _save,
    _speaking,
    _text,
    token_hash,
)
from .messages import _message_complainant, _public_url


# ----------------------------------------------------------------------------------------------- reply
@transaction.atomic
def reply_draft(*, complaint: Complaint, by: Staff, now: dt.datetime, text: str, submit: bool = True) -> Reply:
    """Write (or rewrite) the reply to the complainant from the result: the lead department or the office.
    Submitted drafts wait for the office's approval (reply_review)."""
    c = _lock(complaint)
    if by is None or not by.has_role(R.SUPERVISOR):
        dept = _require_lead_after_result(c, by)
        del dept
    _require_transition(c, "reply")
    text = _text(text, "text", "答复内容", min_len=10, max_len=5000)
    reply = c.replies.exclude(state=Reply.State.SENT).order_by("-id").first()
    if reply is None:
        reply = Reply(complaint=c, drafted_at=now)
    reply.text, reply.drafted_by, reply.drafted_at = text, by, now
    reply.state = Reply.State.SUBMITTED if submit else Reply.State.DRAFT
    reply.save()
    if submit:
        c.status = Status.REPLY_REVIEW
        _save(c, now)
    _log(c, TimelineEntry.Kind.REPLY_DRAFTED, now=now, by=by, detail="提交审核" if submit else "保存草稿")
    return reply


def _require_lead_after_result(c: Complaint, by: Staff) -> Department:
    if by is None or not by.has_any_role(R.HANDLER, R.HEAD) or by.department_id is None:
        raise NotPermitted()
    d = c.dispatches.filter(is_lead=True, state=Dispatch.State.DONE, round=c.reopen_count + 1,
                            department__path__startswith=by.department.path).first()
    if d is None:
        raise NotPermitted("只有主办单位可以起草答复。")
    return d.department


@transaction.atomic
def reply_review(*, reply: Reply, by: Staff, now: dt.datetime, approve: bool, comment: str = "",
                 publishable: bool = False) -> tuple[Reply, str | None]:
    """The office approves the reply (it is sent: the complainant sees it with the tracking code, the
    follow-up starts) or returns it for rework. Returns (reply, one-time follow-up token or None); the raw
    token is shown once, to be sent to the complainant by SMS or e-mail, and only its hash is kept."""
    _require_office(by)
    r = Reply.objects.select_for_update().get(pk=reply.pk)
    c = _lock(r.complaint)
    _require_transition(c, "review")
    if r.state != Reply.State.SUBMITTED:
        raise DomainError("该答复不在待审核状态。", code="bad_status")
    r.reviewed_by, r.reviewed_at, r.review_comment = by, now, (comment or "").strip()[:2000]
    if not approve:
        if len(r.review_comment) < 2:
            raise DomainError("退回修改请写明审核意见。", field="comment")
        r.state = Reply.State.RETURNED
        r.save()
        c.status = Status.RESULT
        _log(c, TimelineEntry.Kind.REPLY_RETURNED, now=now, by=by, detail=r.review_comment)
        _save(c, now)
        return r, None
    r.state, r.sent_at = Reply.State.SENT, now
    r.save()
    raw = secrets.token_urlsafe(24)
    c.status, c.replied_at = Status.REPLIED, now
    c.follow_up_due_at = now + dt.timedelta(days=cfg("FOLLOW_UP_DAYS"))
    c.follow_up_token_hash = token_hash(raw)
    c.rating, c.rated_at = "", None
    with _speaking(c):
        entry = _log(c, TimelineEntry.Kind.REPLIED, now=now, by=by, detail=f"审核通过并答复。{r.review_comment}",
                     public_text=_("答复：%(text)s") % {"text": r.text})
        _message_complainant(c, entry, now=now, what=_("答复"),
                             link=_public_url(reverse("complaints:follow_up", args=[raw])))
    _save(c, now)
    complaint_set_publishable(complaint=c, by=by, now=now, publishable=publishable)
    return r, raw


@transaction.atomic
def complaint_set_publishable(*, complaint: Complaint, by: Staff, now: dt.datetime, publishable: bool) -> Complaint:
    """Mark the sent reply for the public mailbox (县长信箱), storing its masked text (greeting neutrally:
    "您好", not "【投诉人】您好"), or take it down."""
    _require_office(by)
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    reply = c.replies.filter(state=Reply.State.SENT).order_by("-sent_at").first()
    if publishable and reply is None:
        raise DomainError("尚无已发出的答复，不能公开。", code="bad_status")
    if publishable:
        identity = ComplainantIdentity.objects.filter(complaint=c).first()
        names = [identity.name] if identity else []
        contacts = [identity.phone, identity.email, identity.address] if identity else []
        reply.public_text = public_reply_text(reply.text, names=names + [c.staff_text], contacts=contacts)
        reply.save(update_fields=["public_text"])
    if c.publishable != publishable:
        c.publishable = publishable
        c.updated_at = now
        c.save(update_fields=["publishable", "updated_at"])
        _log(c, TimelineEntry.Kind.PUBLISHED, now=now, by=by, detail=f"在{mailbox_title()}公开" if publishable else "撤下公开")
    return c


# ----------------------------------------------------------------------------------------------- follow-up
@transaction.atomic
def complaint_rate(*, complaint: Complaint, now: dt.datetime, rating: str, comment: str = "",
                   reopen: bool = False, reopen_reason: str = "", token: str | None = None) -> Complaint:
    """The complainant rates the reply (回访), with the tracking code or the one-time link (`token`, which
    is spent). "Not satisfied" may reopen the complaint once, with a reason: it goes back to the office for
    a new dispatch. Otherwise the complaint is closed."""
    c = _lock(complaint)
    if token is not None and (not c.follow_up_token_hash or not secrets.compare_digest(c.follow_up_token_hash,
                                                                                      token_hash(token))):
        raise DomainError("评价链接无效或已使用。", code="bad_token")
    if not may(c.status, "rate"):
        raise DomainError("本投诉当前不能评价（尚未答复或已评价）。", code="bad_status")
    if now > c.follow_up_due_at:
        raise DomainError("评价期限已过。", code="too_late")
    if rating not in RATED_LEVELS:
        raise DomainError(_("请选择非常满意、满意、基本满意、不满意或非常不满意。"), field="rating")
    comment = (comment or "").strip()[:1000]
    c.rating, c.rating_comment, c.rated_at, c.follow_up_token_hash = rating, comment, now, ""
    label = Rating(rating).label
    with _speaking(c):
        public = _("您的评价：%(rating)s。%(comment)s") % {"rating": label, "comment": comment}
    _log(c, TimelineEntry.Kind.RATED, now=now, label="投诉人", detail=comment, public_text=public)
    if reopen:
        if rating not in UNSATISFIED_LEVELS:
            raise DomainError(_("只有“不满意”或“非常不满意”可以申请重新办理。"), field="reopen")
        if c.reopen_count >= 1:
            raise DomainError("本投诉已重新办理过一次，不能再次申请。", field="reopen")
        c.reopen_reason = _text(reopen_reason, "reopen_reason", "重新办理的理由", min_len=5, max_len=1000)
        c.reopen_count += 1
        c.status = Status.ACCEPTED
        c.result_at = c.reply_due_at = c.replied_at = c.follow_up_due_at = None
        c.outcome = ""
        c.handling_due_at = _due(now, cfg("HANDLING_LIMIT_WD"))
        with _speaking(c):
            public = _("您对答复不满意并申请重新办理，效能办已重新受理，将另行转办并答复。")
        _log(c, TimelineEntry.Kind.REOPENED, now=now, label="投诉人", detail=c.reopen_reason, public_text=public)
    else:
        c.status, c.closed_at = Status.CLOSED, now
    return _save(c, now)


@transaction.atomic
def complaints_follow_up_expire(*, ids: list[int], now: dt.datetime) -> int:
    """Close the replied complaints among `ids` whose follow-up period has run out without a rating: the
    complaint closes with rating "none" (未评价). The supervision tick calls this for the complaints it
    selected; it is safe to call twice (only REPLIED complaints past their follow-up date change)."""
    n = 0
    qs = Complaint.objects.select_for_update().filter(pk__in=ids, status__in=TRANSITIONS["follow_up_expire"].sources,
                                                    follow_up_due_at__lte=now)
    for c in qs:
        c.status, c.rating, c.closed_at, c.follow_up_token_hash = Status.CLOSED, Rating.NONE, now, ""
        with _speaking(c):
            public = _("回访期满未收到评价，本投诉按未评价办结。")
        _log(c, TimelineEntry.Kind.FOLLOW_UP_EXPIRED, now=now, label="系统", public_text=public)
        _save(c, now)
        n += 1
    return n
