"""The shipped default rules (DOMAIN.md §4). Seeded by migration 0002; `rules_ensure_defaults` restores any
that are missing (a flushed test database, a fresh install that skipped migrations' data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# (code, check, kind, level, thresholds, mode, name, description)
DEFAULT_RULES: list[dict] = [
    {"code": "committed-reminder", "check_code": "committed_reminder", "kind": "time", "level": "reminder",
     "thresholds": {"before_wd": 2}, "mode": "automatic", "name": "承诺时限到期前预警",
     "description": "承诺时限到期前 2 个工作日（办公时间结束时）仍未办结，向承办人和部门负责人发出预警提醒。"},
    {"code": "committed-yellow", "check_code": "committed_overdue", "kind": "time", "level": "yellow",
     "thresholds": {"over_wd": 1}, "mode": "automatic", "name": "超承诺时限黄牌",
     "description": "超过承诺时限 1 个工作日以上仍未办结（或办结时已超过），亮黄牌。特别程序批准的天数已计入期限。"},
    {"code": "statutory-red", "check_code": "statutory_overdue", "kind": "time", "level": "red",
     "thresholds": {"over_wd": 1}, "mode": "automatic", "name": "超法定时限红牌",
     "description": "超过法定时限 1 个工作日以上仍未办结（或办结时已超过），亮红牌。"},
    {"code": "step-overdue", "check_code": "step_overdue", "kind": "time", "level": "yellow",
     "thresholds": {"over_wd": 0}, "mode": "automatic", "name": "环节超时",
     "description": "单个办理环节超过其自身时限，即使办件整体仍在时限内。"},
    {"code": "delivery-late", "check_code": "delivery_late", "kind": "time", "level": "yellow",
     "thresholds": {"within_wd": 3}, "mode": "automatic", "name": "办结后未按时送达",
     "description": "办结（准予许可）后 3 个工作日内未送达证照，亮黄牌。超过法定送达期限的另亮红牌（见“超法定期限送达证照”）。"},
    {"code": "delivery-statutory", "check_code": "delivery_statutory", "kind": "time", "level": "red",
     "thresholds": {"within_wd": 10}, "mode": "automatic", "name": "超法定期限送达证照",
     "description": "作出准予许可决定后 10 个工作日内未颁发、送达证照（行政许可法第四十四条），亮红牌。"},
    {"code": "deemed-approval", "check_code": "deemed_approval", "kind": "time", "level": "red",
     "thresholds": {"over_wd": 0}, "mode": "automatic", "name": "超时默许",
     "description": "配置为超时默许的事项，法定时限届满仍未作出决定：标记视为准予许可并亮红牌。"},
    {"code": "no-reason", "check_code": "no_reason", "kind": "event", "level": "yellow",
     "thresholds": {}, "mode": "automatic", "name": "不予受理/不予许可未说明理由",
     "description": "不予受理或不予许可决定未说明理由（及申请人复议、诉讼的权利）。"},
    {"code": "second-notice", "check_code": "second_notice", "kind": "event", "level": "yellow",
     "thresholds": {"max_notices": 1}, "mode": "automatic", "name": "二次补正告知",
     "description": "同一办件第二次（及以上）发出补正告知，违反一次性告知制度。"},
    {"code": "fee-irregular", "check_code": "fee_irregular", "kind": "event", "level": "red",
     "thresholds": {}, "mode": "automatic", "name": "乱收费",
     "description": "收费项目不在公布的收费标准内，或金额不等于标准金额、超出上下限。"},
    {"code": "fee-above-minimum", "check_code": "fee_above_minimum", "kind": "event", "level": "yellow",
     "thresholds": {}, "mode": "automatic", "name": "未按下限收费",
     "description": "有上下限的收费项目，一律按下限收费；收费高于下限（未超过上限）亮牌，超过上限的按“乱收费”处理。"},
    {"code": "step-order", "check_code": "step_order", "kind": "event", "level": "yellow",
     "thresholds": {}, "mode": "confirm", "name": "环节缺失或顺序颠倒",
     "description": "办理环节顺序颠倒，或办结时有环节未办理（仅对报送环节信息的办件判断）。监察员确认后发牌。"},
    {"code": "off-book", "check_code": "off_book", "kind": "event", "level": "red",
     "thresholds": {}, "mode": "automatic", "name": "体外循环",
     "description": "办件办结但从未登记接件（体外循环）。"},
    # Complaint clocks (DOMAIN.md §4: reminder 2 wd before due, yellow 1 wd over, red 2 wd over), on the
    # acceptance decision, the handling by the dispatched department and the reply to the complainant.
    {"code": "complaint-reminder", "check_code": "deadline_reminder", "subject_kind": "complaint", "kind": "time", "level": "reminder",
     "thresholds": {"before_wd": 2}, "mode": "automatic", "name": "投诉期限到期前预警",
     "description": "投诉的受理、办理或答复期限到期前 2 个工作日（办公时间结束时）尚未完成，向效能办承办监察员"
                    "（办理环节同时向主办单位负责人）发出预警提醒。"},
    {"code": "complaint-yellow", "check_code": "deadline_overdue", "subject_kind": "complaint", "kind": "time", "level": "yellow",
     "thresholds": {"over_wd": 1}, "mode": "automatic", "name": "投诉超期黄牌",
     "description": "投诉的受理、办理或答复超过期限 1 个工作日以上仍未完成，亮黄牌。中止期间不计入期限。"},
    {"code": "complaint-red", "check_code": "deadline_overdue_long", "subject_kind": "complaint", "kind": "time", "level": "red",
     "thresholds": {"over_wd": 2}, "mode": "automatic", "name": "投诉超期红牌",
     "description": "投诉的受理、办理或答复超过期限 2 个工作日以上仍未完成，亮红牌。"},
]

# Which thresholds each check understands, with bounds (working days), for the edit form and the service.
THRESHOLD_FIELDS: dict[str, list[tuple[str, str, int, int]]] = {
    "committed_reminder": [("before_wd", "到期前工作日数", 0, 30)],
    "committed_overdue": [("over_wd", "超期工作日数（超过即发牌）", 0, 60)],
    "statutory_overdue": [("over_wd", "超期工作日数（超过即发牌）", 0, 60)],
    "step_overdue": [("over_wd", "超期工作日数（超过即发牌）", 0, 60)],
    "delivery_late": [("within_wd", "办结后应送达的工作日数", 0, 60)],
    "delivery_statutory": [("within_wd", "决定后法定送达工作日数", 0, 60)],
    "deemed_approval": [("over_wd", "法定时限届满后工作日数", 0, 60)],
    "second_notice": [("max_notices", "允许的告知次数", 1, 5)],
    "no_reason": [],
    "fee_irregular": [],
    "fee_above_minimum": [],
    "step_order": [],
    "off_book": [],
    "deadline_reminder": [("before_wd", "到期前工作日数", 0, 30)],
    "deadline_overdue": [("over_wd", "超期工作日数（超过即发牌）", 0, 60)],
    "deadline_overdue_long": [("over_wd", "超期工作日数（超过即发牌）", 0, 60)],
}


def rules_ensure_defaults(apps=None) -> int:
    """Create the default rules that do not exist yet (by code); never touches edited ones. Returns how
    many were created. Usable from a migration (`apps`: the rules above only) or at run time (also the
    rules every registered clock owner ships, `ClockOwner.default_rules`: run after every `migrate` by
    `SupervisionConfig.ready`'s post_migrate hook, so a new owner's rules appear with its tables)."""
    if apps is None:
        from xiaoneng.core import clocks
        from xiaoneng.supervision.models import Rule

        shipped = [*DEFAULT_RULES, *(dict(r) for o in clocks.owners() for r in getattr(o, "default_rules", ()))]
    else:
        Rule = apps.get_model("supervision", "Rule")
        shipped = DEFAULT_RULES
    have = set(Rule.objects.values_list("code", flat=True))
    # Only the fields the (possibly historical) model has: an early migration runs this with the Rule of its day.
    fields = {f.name for f in Rule._meta.get_fields()}
    new = [Rule(position=i, scope="all", enabled=True, **{k: v for k, v in r.items() if k in fields})
           for i, r in enumerate(shipped, 1) if r["code"] not in have]
    if new:
        Rule.objects.bulk_create(new, ignore_conflicts=True)
        if apps is None:
            from xiaoneng.supervision.rulecache import rules_invalidate

            rules_invalidate()
    return len(new)


# How a threshold reads on a page (rule list, rule history, anywhere a rule's numbers are shown): a sentence
# of the office's words, never the stored key ("before_wd=2"). Per check where the same key means different
# things; `{n}` is the number; the second text is the one for 0 where "0 个工作日" would read oddly.
THRESHOLD_SENTENCES: dict[str, dict[str, tuple]] = {
    "committed_reminder": {"before_wd": (gettext_lazy("承诺时限到期前 {n} 个工作日提醒"), gettext_lazy("承诺时限到期当日提醒"))},
    "committed_overdue": {"over_wd": (gettext_lazy("超过承诺时限 {n} 个工作日以上发牌"), gettext_lazy("超过承诺时限即发牌"))},
    "statutory_overdue": {"over_wd": (gettext_lazy("超过法定时限 {n} 个工作日以上发牌"), gettext_lazy("超过法定时限即发牌"))},
    "step_overdue": {"over_wd": (gettext_lazy("环节超过时限 {n} 个工作日以上发牌"), gettext_lazy("环节超过时限即发牌"))},
    "delivery_late": {"within_wd": (gettext_lazy("办结后 {n} 个工作日内应送达"), gettext_lazy("办结当日应送达"))},
    "delivery_statutory": {"within_wd": (gettext_lazy("作出决定后 {n} 个工作日内应送达证照"), gettext_lazy("作出决定当日应送达证照"))},
    "deemed_approval": {"over_wd": (gettext_lazy("法定时限届满 {n} 个工作日后仍未决定即发牌"), gettext_lazy("法定时限届满仍未决定即发牌"))},
    "second_notice": {"max_notices": (gettext_lazy("补正告知最多 {n} 次，超过即发牌"), None)},
    # The deadline family: `{s}` is the subject as the office calls it (投诉), from the rule's clock owner.
    "deadline_reminder": {"before_wd": (gettext_lazy("{s}期限到期前 {n} 个工作日提醒"), gettext_lazy("{s}期限到期当日提醒"))},
    "deadline_overdue": {"over_wd": (gettext_lazy("超过{s}期限 {n} 个工作日以上发牌"), gettext_lazy("超过{s}期限即发牌"))},
    "deadline_overdue_long": {"over_wd": (gettext_lazy("超过{s}期限 {n} 个工作日以上发牌"), gettext_lazy("超过{s}期限即发牌"))},
}


def threshold_sentence(check: str, key: str, value, subject: str = "") -> str:
    """One threshold as the office says it ("承诺时限到期前 2 个工作日提醒"). An unknown key (a rule edited by
    hand in the database) is named by the edit form's label, never by the key itself."""
    texts = THRESHOLD_SENTENCES.get(check, {}).get(key)
    if texts is None:
        labels = {k: label for k, label, _lo, _hi in THRESHOLD_FIELDS.get(check, [])}
        return f"{labels.get(key) or gettext_lazy('其他阈值')}：{value}"
    many, zero = texts
    return (str(zero) if zero and value == 0 else str(many)).format(n=value, s=subject)


def thresholds_text(check: str, thresholds: dict | None, subject: str = "") -> str:
    """All of a rule's thresholds as sentences joined by "；" ("" when the check has none). `subject`: the
    rule's subject as the office calls it, for the deadline family's sentences."""
    return "；".join(threshold_sentence(check, k, v, subject) for k, v in (thresholds or {}).items())
