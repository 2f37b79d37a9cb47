"""Placeholders of the calculations whose source lives above evaluation: disclosure (政务公开). Registered as
unavailable, so a scheme may weigh them and every evaluation moves their weight to the others, saying so; the
disclosure app, when installed, replaces both from its ready() (indicators.replace, disclosure/calculations.py)."""

from __future__ import annotations

from decimal import Decimal

from ..indicators import DEDUCTIONS, INDICATORS, Adjustment, Indicator, register

register(Indicator(
    "disclosure", "政务公开",
    "政务公开目录事项按期公开的比例（待政务公开功能上线后计分；此前该项分值按比例折算到其他指标）。",
    lambda ctx: {}, None, available=False, default_floor=Decimal("0.8"), default_target=Decimal("1")), INDICATORS)
register(Adjustment(
    "disclosure_late", "政务公开逾期",
    "统一公开日检查发现应公开未公开或逾期公开的事项数（待政务公开功能上线后计分）。",
    lambda ctx: {}, None, unit="项", available=False), DEDUCTIONS)
