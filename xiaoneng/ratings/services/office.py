"""The office's settings for ratings: the policy (RatingPolicy, each change kept in RatingPolicyChange) and the
list of reasons a rater may tick (RatingReason: added, renamed, given levels, disabled — never deleted, since
ratings store reason codes). Supervisors only; the pages check the role, the services check it again."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.core.errors import DomainError, NotPermitted

from ..models import RatingPolicy, RatingPolicyChange, RatingReason

# field: (label, lowest, highest)
POLICY_BOUNDS = {
    "rectification_limit_wd": ("差评整改期限（工作日）", 1, 60),
    "link_valid_days": ("评价链接有效期（天）", 1, 365),
    "default_after_days": ("逾期未评价天数", 1, 365),
    "sms_invite_after_days": ("办结后短信邀请评价（天）", 0, 30),
}
POLICY_FIELDS = (*POLICY_BOUNDS, "default_level", "sms_invite")
# A switch as a form and a JSON client send it.
_SWITCH = {True: True, False: False, "1": True, "0": False, "on": True, "": False, "true": True, "false": False}
REASON_NAME_MAX = 40
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}", re.ASCII)


def _office(by) -> None:
    if by is None or not by.has_role(R.SUPERVISOR):
        raise NotPermitted("只有效能监察员可以修改好差评设置。")


def _int(value, field: str) -> int:
    label, lo, hi = POLICY_BOUNDS[field]
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if re.fullmatch(r"[0-9]{1,6}", value, re.ASCII) else None
    if not isinstance(value, int) or not lo <= value <= hi:
        raise DomainError(f"{label}应为 {lo} 至 {hi} 之间的整数。", field=field, code="out_of_range")
    return value


def policy_snapshot(policy: RatingPolicy) -> dict:
    return {f: getattr(policy, f) for f in POLICY_FIELDS}


@transaction.atomic
def policy_update(*, by, values: dict, now: dt.datetime) -> RatingPolicy:
    """Change the office's rating policy (fields of POLICY_FIELDS; others ignored), checked within bounds, and
    keep the change (who, when, before, after). Nothing changed → nothing recorded."""
    _office(by)
    policy = RatingPolicy.current()
    policy = RatingPolicy.objects.select_for_update().get(pk=policy.pk)
    before = policy_snapshot(policy)
    clean = {f: _int(values[f], f) for f in POLICY_BOUNDS if f in values}
    if "default_level" in values:
        if values["default_level"] not in RatingPolicy.Default.values:
            raise DomainError("逾期未评价的处理方式无效。", field="default_level", code="invalid_choice")
        clean["default_level"] = values["default_level"]
    if "sms_invite" in values:
        v = values["sms_invite"]
        v = v.strip().lower() if isinstance(v, str) else v
        if not isinstance(v, bool | str) or v not in _SWITCH:
            raise DomainError("办结后短信邀请评价只能选择开启或关闭。", field="sms_invite", code="invalid_choice")
        clean["sms_invite"] = _SWITCH[v]
    after = {**before, **clean}
    if after == before:
        return policy
    for f, v in clean.items():
        setattr(policy, f, v)
    policy.updated_at, policy.updated_by = now, by
    policy.save()
    RatingPolicyChange.objects.create(changed_at=now, changed_by=by, before=before, after=after)
    return policy


def _levels(levels) -> list[int]:
    if not isinstance(levels, list | tuple) or not levels:
        raise DomainError("请至少选择一个适用等级。", field="levels", code="levels_required")
    out = set()
    for v in levels:
        if isinstance(v, str) and v.strip() in ("1", "2", "3", "4", "5"):
            v = int(v.strip())
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
            raise DomainError("适用等级只能是 1 至 5。", field="levels", code="invalid_levels")
        out.add(v)
    return sorted(out, reverse=True)


def _name(name, *, exclude: int | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise DomainError("请填写原因名称。", field="name", code="name_required")
    name = name.strip()
    if len(name) > REASON_NAME_MAX:
        raise DomainError(f"原因名称最长 {REASON_NAME_MAX} 字。", field="name", code="name_too_long")
    if RatingReason.objects.filter(name=name).exclude(pk=exclude).exists():
        raise DomainError(f"已有名为“{name}”的原因。", field="name", code="name_taken")
    return name


@transaction.atomic
def reason_create(*, by, code: str, name: str, levels, now: dt.datetime) -> RatingReason:
    """Add a reason to the list, offered for `levels`; `code` (lowercase letters, digits, "-") is what ratings
    and department systems use, and never changes."""
    _office(by)
    code = (code or "").strip().lower() if isinstance(code, str) else ""
    if not _CODE.fullmatch(code):
        raise DomainError("原因编码只能由小写字母、数字和“-”组成，最长 32 个字符。", field="code", code="invalid_code")
    if RatingReason.objects.filter(code=code).exists():
        raise DomainError(f"原因编码“{code}”已存在。", field="code", code="code_taken")
    position = (RatingReason.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return RatingReason.objects.create(code=code, name=_name(name), levels=_levels(levels), position=position)


@transaction.atomic
def reason_update(*, by, reason: RatingReason, name: str | None = None, levels=None, enabled: bool | None = None,
                  now: dt.datetime) -> RatingReason:
    """Rename a reason, change its levels, or enable/disable it (a disabled reason is no longer offered; the
    ratings that chose it keep it)."""
    _office(by)
    reason = RatingReason.objects.select_for_update().get(pk=reason.pk)
    if name is not None:
        reason.name = _name(name, exclude=reason.pk)
    if levels is not None:
        reason.levels = _levels(levels)
    if enabled is not None:
        reason.enabled = bool(enabled)
    reason.save()
    return reason
