"""The demo county's annual disclosure reports (政府信息公开工作年度报告, issue 14 §4): for the last complete year,
the county-wide report and one per reporting department (bureaus, townships, the centre, the office), their
texts written from their own figures and published by the office on 20 January (the regulation's deadline is
31 January) — through the report services, after the steps that made the requests and the entries (the tables
count whatever those steps left; a year without requests still has a report, of zeros, as in real life)."""

from __future__ import annotations

import datetime as dt

from xiaoneng.accounts import roles as R

PROBLEMS = [
    "部分单位主动公开内容更新不够及时，个别栏目存在逾期更新的情况；政策解读形式较为单一。下一步将完善公开目录动态调整机制，"
    "落实统一公开日督查通报和限期整改制度，丰富图表、音视频等解读形式。",
    "依申请公开办理中存在答复文书不够规范、个别申请答复接近法定期限的情况。下一步将加强承办人员培训，"
    "推行答复文书模板，严格执行办理时限预警。",
    "基层政务公开标准化规范化水平仍有差距，村（居）务公开内容不够全面。下一步将推进基层政务公开标准目录落地，"
    "加强对乡镇（街道）的业务指导和督查。",
]


def _texts(ctx, figures: dict, issuer: str) -> dict:
    from xiaoneng.disclosure.report import default_overview

    rows = {r["key"]: r["values"] for r in figures["requests"]["rows"] if r["values"] is not None}
    overview = default_overview(figures, issuer=issuer)
    if rows["carried_forward"][-1]:
        overview += f"截至年底，尚有{rows['carried_forward'][-1]}件申请在法定期限内继续办理，结转下年度。"
    reviews = sum(g["values"][1] for g in figures["reviews"]["groups"])
    problems = ctx.rng.choice(PROBLEMS)
    if reviews:
        problems += f"本年度有{reviews}件复议或诉讼结果被纠正，已逐件分析原因并整改。"
    other = ("本年度未收取信息处理费。按照《政府信息公开信息处理费管理办法》，本机关对申请人超出一定数量或者频次范围的申请"
             "可依法收取信息处理费。")
    return {"overview": overview, "problems": problems, "other": other}


def step_disclosure_report(ctx) -> None:
    from django.utils import timezone

    from xiaoneng.disclosure.report import REPORTING_KINDS, annual_figures, county_issuer, year_bounds
    from xiaoneng.disclosure.services.reports import annual_report_publish, annual_report_save_texts

    local_now = timezone.localtime(ctx.now)
    year = local_now.year - 1
    _start, end = year_bounds(year)
    published = end.replace(month=1, day=20, hour=10)
    if published >= ctx.now:  # the demo's clock is before 20 January: the office publishes an hour ago
        published = ctx.now - dt.timedelta(hours=1)
    office = [s for s in ctx.staff.values() if s.has_role(R.SUPERVISOR)]
    sup = office[0] if office else None
    targets = [None] + [d for d in ctx.departments if d.kind in REPORTING_KINDS and d.is_active]
    made = 0
    for dept in targets:
        issuer = dept.name if dept is not None else county_issuer()
        texts = _texts(ctx, annual_figures(year=year, department=dept), issuer)
        annual_report_save_texts(year=year, department=dept, by=sup, now=published, **texts)
        if published >= end:
            annual_report_publish(year=year, department=dept, by=sup, now=published)
        made += 1
    ctx.counts["annual_reports"] = made
