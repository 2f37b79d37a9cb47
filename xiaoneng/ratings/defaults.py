"""The shipped list of rating reasons (好差评 评价原因), after the national system's categories. Seeded by migration
0002; the office edits, disables and adds reasons on its settings page. Codes are stored on ratings: never
renamed, never deleted once used."""

GOOD, BASIC, BAD = [5, 4], [3], [2, 1]

DEFAULT_REASONS: list[dict] = [
    {"code": "done-once", "name": "一次办好", "levels": GOOD},
    {"code": "efficient", "name": "办事效率高", "levels": GOOD},
    {"code": "warm-service", "name": "服务热情周到", "levels": GOOD},
    {"code": "clear-guide", "name": "办事指南清晰", "levels": GOOD},
    {"code": "convenient", "name": "办理方便快捷", "levels": GOOD},
    {"code": "long-wait", "name": "排队等候时间较长", "levels": BASIC + BAD},
    {"code": "could-be-simpler", "name": "流程还可以再简化", "levels": BASIC},
    {"code": "complex-process", "name": "办事流程繁琐", "levels": BAD},
    {"code": "multiple-trips", "name": "多次跑动", "levels": BAD},
    {"code": "poor-attitude", "name": "服务态度差", "levels": BAD},
    {"code": "overdue", "name": "超时办理", "levels": BAD},
    {"code": "irregular-fee", "name": "乱收费", "levels": BAD},
    {"code": "unclear-guide", "name": "办事指南不清晰", "levels": BAD},
    {"code": "excess-materials", "name": "要求提供不必要的材料", "levels": BAD},
    {"code": "passing-buck", "name": "推诿扯皮", "levels": BAD},
    {"code": "other", "name": "其他", "levels": GOOD + BASIC + BAD},
]


def reasons_ensure_defaults(apps=None) -> int:
    """Create the shipped reasons that do not exist yet (by code); never touches edited ones."""
    if apps is None:
        from xiaoneng.ratings.models import RatingReason
    else:
        RatingReason = apps.get_model("ratings", "RatingReason")
    have = set(RatingReason.objects.values_list("code", flat=True))
    new = [RatingReason(position=i, **r) for i, r in enumerate(DEFAULT_REASONS, 1) if r["code"] not in have]
    RatingReason.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
