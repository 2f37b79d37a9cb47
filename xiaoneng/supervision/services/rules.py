"""Edits of supervision rules (thresholds, scope, mode, escalation), recorded and effective at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Department, Staff
from xiaoneng.cases.models import Case
from xiaoneng.cases.schedule import schedule_due_now
from xiaoneng.catalog.models import ServiceItem
from xiaoneng.core.errors import DomainError, NotPermitted

from .. import deadlines
from ..defaults import THRESHOLD_FIELDS
from ..models import (
    DEADLINE_CHECKS,
    MANUAL_CHECKS,
    Level,
    Rule,
    RuleChange,
    RuleKind,
    RuleMode,
    RuleScope,
)
from ..rulecache import rules_invalidate
from ._common import MAX_ORDER_WD


def _rule_snapshot(rule: Rule) -> dict:
    return {
        "name": rule.name, "enabled": rule.enabled, "level": rule.level, "thresholds": dict(rule.thresholds or {}),
        "scope": rule.scope, "scope_department": rule.scope_department.code if rule.scope_department_id else None,
        "scope_item": rule.scope_item.code if rule.scope_item_id else None, "mode": rule.mode,
        "auto_order": rule.auto_order, "order_due_wd": rule.order_due_wd, "auto_proposal": rule.auto_proposal,
    }


def _check_rule_editor(by: Staff) -> None:
    if by is None or not by.has_any_role(R.SUPERVISOR, R.ADMIN):
        raise NotPermitted("只有效能监察员或系统管理员可以修改监察规则。")


def _clean_rule_data(check: str, data: dict) -> dict:
    out = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise DomainError("规则名称不能为空。", field="name")
        out["name"] = name[:100]
    if "enabled" in data:
        out["enabled"] = bool(data["enabled"])
    if "level" in data:
        if data["level"] not in Level.values:
            raise DomainError("等级应为预警提醒、黄牌或红牌。", field="level")
        out["level"] = data["level"]
    for key in ("auto_order", "auto_proposal"):
        if key in data:
            out[key] = bool(data[key])
    if "order_due_wd" in data:
        v = data["order_due_wd"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_ORDER_WD:
            raise DomainError(f"自动督办答复期限应为 1—{MAX_ORDER_WD} 个工作日。", field="order_due_wd")
        out["order_due_wd"] = v
    if "mode" in data:
        if data["mode"] not in RuleMode.values:
            raise DomainError("发牌方式无效。", field="mode")
        out["mode"] = data["mode"]
    if "thresholds" in data:
        raw = data["thresholds"] or {}
        if not isinstance(raw, dict):
            raise DomainError("阈值应为 JSON 对象。", field="thresholds")
        allowed = {k: (label, lo, hi) for k, label, lo, hi in THRESHOLD_FIELDS.get(check, [])}
        clean = {}
        for k, v in raw.items():
            if k not in allowed:
                raise DomainError(f"此规则没有阈值“{k}”。", field="thresholds")
            label, lo, hi = allowed[k]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise DomainError(f"{label}应为 {lo}—{hi} 的整数。", field=f"thresholds.{k}")
            clean[k] = v
        out["thresholds"] = clean
    if "scope" in data:
        scope = data["scope"]
        if scope not in RuleScope.values:
            raise DomainError("适用范围无效。", field="scope")
        dept = data.get("scope_department")
        item = data.get("scope_item")
        if scope == RuleScope.DEPARTMENT and not isinstance(dept, Department):
            raise DomainError("请选择适用部门。", field="scope_department")
        if scope == RuleScope.ITEM and (check in DEADLINE_CHECKS or check in MANUAL_CHECKS):
            # Only cases have a service item: the deadline family scopes by department (engine.for_subject).
            raise DomainError("此规则不针对办件，不能按事项设置适用范围，请选择全部部门或指定部门。", field="scope")
        if scope == RuleScope.ITEM and not isinstance(item, ServiceItem):
            raise DomainError("请选择适用事项。", field="scope_item")
        out["scope"] = scope
        out["scope_department"] = dept if scope == RuleScope.DEPARTMENT else None
        out["scope_item"] = item if scope == RuleScope.ITEM else None
    return out


def _reschedule_for(rule: Rule, now: dt.datetime) -> int:
    """Make the next tick look again at every open case the rule may concern (thresholds moved)."""
    qs = Case.objects.filter(is_open=True)
    if rule.scope == RuleScope.DEPARTMENT and rule.scope_department_id:
        qs = qs.filter(department__path__startswith=rule.scope_department.path)
    elif rule.scope == RuleScope.ITEM and rule.scope_item_id:
        qs = qs.filter(service_item_id=rule.scope_item_id)
    return schedule_due_now(qs, now=now)


@transaction.atomic
def rule_update(*, rule: Rule, data: dict, by: Staff, now: dt.datetime, note: str = "") -> Rule:
    """Change a rule (name, enabled, level, thresholds, scope, mode, escalation: automatic order and its
    due working days, automatic draft proposal). Records a `RuleChange` with the values
    before and after, and takes effect at once: the rules cache is dropped and, for time-based rules,
    every open case in the rule's scope (old and new) is due at the next tick so its thresholds are re-read.
    Cards already issued stay as they are until an event on their case re-judges them."""
    _check_rule_editor(by)
    rule = Rule.objects.select_for_update(of=("self",)).select_related("scope_department", "scope_item").get(pk=rule.pk)
    clean = _clean_rule_data(rule.check_code, data)
    before = _rule_snapshot(rule)
    old_scope = (rule.scope, rule.scope_department, rule.scope_item)
    for k, v in clean.items():
        setattr(rule, k, v)
    after = _rule_snapshot(rule)
    if after == before:
        return rule
    rule.updated_by = by
    rule.updated_at = now
    rule.save()
    RuleChange.objects.create(rule=rule, changed_by=by, changed_at=now, before=before, after=after,
                              note=(note or "").strip()[:200])
    if rule.check_code in DEADLINE_CHECKS:
        deadlines.reschedule(now, rule.subject_kind)
    elif rule.check_code in MANUAL_CHECKS:
        pass  # raised by hand only: nothing to re-judge
    elif rule.kind == RuleKind.TIME:
        _reschedule_for(rule, now)
        if old_scope != (rule.scope, rule.scope_department, rule.scope_item):
            old = Rule(scope=old_scope[0], scope_department=old_scope[1], scope_item=old_scope[2])
            old.scope_department_id = old_scope[1].pk if old_scope[1] else None
            old.scope_item_id = old_scope[2].pk if old_scope[2] else None
            _reschedule_for(old, now)
    transaction.on_commit(rules_invalidate)
    rules_invalidate()
    return rule
