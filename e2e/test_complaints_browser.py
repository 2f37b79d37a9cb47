"""Browser tests of the complaint centre: a citizen complains on a phone and follows the tracking code; HTML in
a complaint stays text on public and staff pages (no script runs); a double-clicked submit makes one
complaint; a supervisor accepts and dispatches, and the department sees it. Screenshots are saved."""

from __future__ import annotations

import pytest
from django.utils import timezone

from e2e.conftest import login, shot
from xiaoneng.complaints import services
from xiaoneng.complaints.intake import clean_intake
from xiaoneng.complaints.models import Complaint, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = '<script>window.__x=1</script><img src=x onerror="window.__x=2">'
FACTS = "2月26日我到县政务服务中心12号窗口办理食品经营许可，材料齐全，工作人员说要等领导签字，至今未办结。"


@pytest.fixture
def office(calendar, depts, staff):
    from xiaoneng.complaints.categories import categories_ensure

    categories_ensure()  # a transactional test flushes the tables the data migration filled
    return staff


def fill_form(page, *, facts=FACTS):
    page.select_option("#id_category", "TS-CSBL")
    page.select_option("#id_department", "TA")
    page.fill("#id_window", "12号窗口")
    page.fill("#id_occurred_on", "2026-02-26")
    page.fill("#id_facts", facts)
    page.fill("#id_request", "请尽快办结并说明延误原因。")
    page.check("#id_litigation_0")
    page.check("#id_identity_mode_1")  # 实名保密
    page.fill("#id_name", "张晓明")
    page.fill("#id_phone", "13912345678")


def submit_complaint(**over):
    data = {"category": "TS-CSBL", "department": "TA", "occurred_on": "2026-02-26", "facts": FACTS,
            "request": "请尽快办结。", "litigation": "none", "identity_mode": "anonymous", **over}
    now = timezone.now()
    return services.complaint_submit(intake=clean_intake(data, today=timezone.localdate(now)), channel="web", now=now,
                                     ip="192.0.2.10")


def test_citizen_complains_on_a_phone_and_follows_the_code(phone_page, office):
    page = phone_page
    page.goto("/complaints/new/")
    # Nothing filled: every required field shows its error beside it, nothing is stored.
    page.click("[data-testid=submit]")
    page.wait_for_selector("#id_facts-err")
    assert page.locator(".invalid-feedback").count() >= 5
    assert Complaint.objects.count() == 0
    shot(page, "complaints-form-errors-phone")
    fill_form(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shot(page, "complaints-form-phone")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=tracking-code]")
    code = page.inner_text("[data-testid=tracking-code]").strip()
    c = Complaint.objects.get()
    assert code.replace("-", "") == c.tracking_code and len(code) == 19
    shot(page, "complaints-submitted-phone")
    page.click("[data-testid=tracking-link]")
    page.wait_for_selector("[data-testid=status]")
    assert page.inner_text("[data-testid=status]") == "待受理"
    assert "效能办将在 5 个工作日内" in page.inner_text("[data-testid=timeline]")
    shot(page, "complaints-track-phone")
    # The code typed by hand, with dashes and lower case, finds it too.
    page.goto("/complaints/track/")
    page.fill("#id_code", code.lower())
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=status]")


def test_double_click_makes_one_complaint(page, office):
    page.goto("/complaints/new/")
    fill_form(page)
    page.dblclick("[data-testid=submit]")
    page.wait_for_selector("[data-testid=tracking-code]")
    assert Complaint.objects.count() == 1


def test_html_in_a_complaint_stays_text(page, office):
    page.goto("/complaints/new/")
    fill_form(page, facts=XSS + FACTS)
    page.fill("#id_request", XSS)
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=tracking-code]")
    page.click("[data-testid=tracking-link]")
    page.wait_for_selector("[data-testid=facts]")
    assert page.evaluate("typeof window.__x") == "undefined"
    assert "<script>window.__x=1</script>" in page.inner_text("[data-testid=facts]")
    shot(page, "complaints-xss-public")
    c = Complaint.objects.get()
    login(page, "supervisor")
    for url in (f"/staff/complaints/{c.number}/", "/staff/complaints/", "/staff/complaints/board/"):
        page.goto(url)
        assert page.evaluate("typeof window.__x") == "undefined", url
    page.goto(f"/staff/complaints/{c.number}/")
    assert "onerror" in page.inner_text("[data-testid=request]")
    shot(page, "complaints-xss-staff")


def test_supervisor_accepts_and_dispatches(page, office, browser, live_server):
    c = submit_complaint()
    login(page, "supervisor")
    page.goto("/staff/complaints/")
    shot(page, "complaints-inbox")
    page.click(f"text={c.number}")
    page.wait_for_selector("[data-testid=form-accept]")
    shot(page, "complaints-detail-received")
    page.click("[data-testid=form-accept] button[type=submit]")
    page.wait_for_selector("[data-testid=form-dispatch]")
    assert page.inner_text("[data-testid=status]") == "已受理，待转办"
    page.select_option("#dispatch-departments", label="测试县市场监督管理局")
    page.fill("#dispatch-instructions", "请核查窗口延误情况，按期报送。")
    page.click("[data-testid=form-dispatch] button[type=submit]")
    page.wait_for_selector("text=已转办。")
    assert page.inner_text("[data-testid=status]") == "办理中"
    c.refresh_from_db()
    assert c.status == Status.DISPATCHED and c.dispatches.get().department.code == "TA"
    shot(page, "complaints-detail-dispatched")
    page.goto("/staff/complaints/board/")
    shot(page, "complaints-board")
    # The department sees it in "dispatched to us", without the complainant's identity.
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    dept = ctx.new_page()
    login(dept, "handler_a")
    dept.goto("/staff/complaints/")
    assert c.number in dept.inner_text("main")
    dept.click(f"text={c.number}")
    dept.wait_for_selector("[data-testid=form-result]")
    assert "查看投诉人身份" not in dept.inner_text("main")
    shot(dept, "complaints-department-view")
    ctx.close()


def test_supervisor_enters_a_hotline_complaint_in_english(page, office):
    """A citizen phones the hotline in English: the clerk picks the complainant's language on the staff entry
    page, and the complaint page tells the office that notices go out in English."""
    login(page, "supervisor")
    page.goto("/staff/complaints/new/")
    assert page.locator("#id_language").input_value() == "zh-hans"  # the platform's language by default
    page.select_option("#id_channel", "hotline")
    page.select_option("#id_language", "en")
    fill_form(page)
    # Filling scrolled the page: back to the top, or the full-page capture draws the sticky header mid-form.
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "complaints-staff-new-english")
    page.click("form[data-once] button[type=submit]")
    page.wait_for_selector("[data-testid=language]")
    c = Complaint.objects.get()
    assert c.language == "en" and c.channel == "hotline"
    assert page.inner_text("[data-testid=language]").startswith("English")
    assert "Your complaint has been registered" in page.inner_text("main")  # the timeline's public text
    shot(page, "complaints-detail-english")


def test_complaint_pages_pass_axe(browser, live_server, office):
    from e2e.test_accessibility import violations

    c = submit_complaint()
    ctx = browser.new_context(locale="zh-CN", base_url=live_server.url, bypass_csp=True)  # axe is injected
    pg = ctx.new_page()
    for url in ["/complaints/", "/complaints/new/", f"/complaints/track/{c.tracking_code}/", "/complaints/mailbox/"]:
        pg.goto(url)
        assert violations(pg) == [], url
    pg.goto("/complaints/new/")
    pg.click("[data-testid=submit]")
    pg.wait_for_selector("#id_facts-err")
    assert violations(pg) == [], "form with errors"
    login(pg, "supervisor")
    for url in ["/staff/complaints/", f"/staff/complaints/{c.number}/", "/staff/complaints/board/",
                "/staff/complaints/figures/", "/staff/complaints/new/", "/staff/complaints/blocklist/",
                f"/staff/complaints/{c.number}/messages/"]:
        pg.goto(url)
        assert violations(pg) == [], url
    ctx.close()


def test_a_year_of_demo_complaints_on_the_screens(page, office, depts):
    import random
    from datetime import timedelta

    from xiaoneng.complaints.demo import seed_complaints

    now = timezone.now()
    seed_complaints(departments=list(depts.values()), staff=office, rng=random.Random(3), count=300,
                    start=now - timedelta(days=365), end=now, now=now)
    page.goto("/complaints/mailbox/")
    assert page.locator("article").count() > 0
    # What the public reads: no complainant's name or phone, replies greeting neutrally (not "【投诉人】：您好"),
    # and the office's own hotline left readable (the demo once wrote it as 0571-96150, which the masker hid).
    from xiaoneng.complaints.models import ComplainantIdentity

    text = page.inner_text("main")
    published = ComplainantIdentity.objects.filter(complaint__publishable=True)
    names = {n for n in published.values_list("name", flat=True) if n}
    phones = {p for p in published.values_list("phone", flat=True) if p}
    assert names and not [n for n in names if n in text]
    assert not [p for p in phones if p in text]
    assert "【投诉人】" not in text and "效能投诉热线 96150" in text and "【号码已隐去】" not in text
    shot(page, "complaints-mailbox")
    login(page, "supervisor")
    page.goto("/staff/complaints/?status=open")
    shot(page, "complaints-inbox-demo")
    page.goto("/staff/complaints/overdue/")
    shot(page, "complaints-overdue-demo")
    page.goto("/staff/complaints/figures/")
    assert page.inner_text("[data-testid=totals]").count("%") == 4  # 答复率, 办结率, 满意率 and 响应率
    shot(page, "complaints-figures-demo")


CHART_JS = """(id) => {
  const el = document.getElementById(id);
  const chart = window.echarts.getInstanceByDom(el);
  const opt = chart.getOption();
  const canvas = el.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) { painted++; } }
  const axis = id === "chart-trend" ? opt.xAxis[0] : opt.yAxis[0];
  return { categories: axis.data, series: opt.series.map((s) => ({ name: s.name, data: s.data })),
           painted: painted, width: el.getBoundingClientRect().width, label: el.getAttribute("aria-label") };
}"""


def _table(page, testid):
    """{row header: [rate cells as numbers or None]} of a figures summary table (the 三率: after 收到 in the
    monthly table, after 收到 and 受理 in the departments')."""
    out = {}
    first = 2 if testid == "table-compare" else 1
    for row in page.locator(f"[data-testid={testid}] tbody tr").all():
        head = row.locator("th").inner_text().strip()
        cells = [c.inner_text().strip() for c in row.locator("td").all()][first:first + 3]
        out[head] = [None if c == "—" else float(c.rstrip("%")) for c in cells]
    return out


def _check_charts_match_tables(page):
    page.wait_for_selector("#figures-charts[data-ready='1']")
    for chart_id, table_id in (("chart-trend", "table-trend"), ("chart-compare", "table-compare")):
        got = page.evaluate(CHART_JS, chart_id)
        assert got["painted"] > 1000, chart_id  # the canvas really has a drawing on it
        assert "数据见下表" in got["label"]
        assert [s["name"] for s in got["series"]] == ["答复率", "办结率", "满意率"]  # the seeds' 三率
        table = _table(page, table_id)
        assert got["categories"] == list(table), chart_id
        assert len(table) >= 2
        for i, name in enumerate(got["categories"]):
            assert [s["data"][i] for s in got["series"]] == table[name], (chart_id, name)


def test_figures_charts_draw_the_tables_numbers(page, phone_page, office, depts):
    import random
    from datetime import timedelta

    from xiaoneng.complaints.demo import seed_complaints

    now = timezone.now()
    seed_complaints(departments=list(depts.values()), staff=office, rng=random.Random(7), count=240,
                    start=now - timedelta(days=365), end=now, now=now)
    login(page, "supervisor")
    page.goto("/staff/complaints/figures/")
    _check_charts_match_tables(page)
    assert len(_table(page, "table-trend")) == 3  # every month of the default period (this quarter), empty ones too
    page.goto("/staff/complaints/figures/?period=year")
    _check_charts_match_tables(page)
    page.click("[data-testid=table-compare] thead a[data-sort=satisfaction_rate]")
    page.wait_for_selector("[data-testid=table-compare] th[aria-sort=ascending] a[data-sort=satisfaction_rate]")
    _check_charts_match_tables(page)  # the chart follows the table's order
    shot(page, "complaints-figures-charts")
    login(phone_page, "leader")
    phone_page.goto("/staff/complaints/figures/")
    _check_charts_match_tables(phone_page)
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert phone_page.evaluate(CHART_JS, "chart-compare")["width"] <= 390
    shot(phone_page, "complaints-figures-charts-phone")


class DownGateway:
    """An SMS gateway that is down (it quotes the number it refused, as real ones do)."""

    def send(self, phone, text):
        raise RuntimeError(f"gateway refused {phone}")


def test_supervisor_retries_a_failed_notice_on_a_phone(phone_page, office, settings):
    from xiaoneng.complaints.models import ComplainantMessage
    from xiaoneng.core import sms

    settings.XIAONENG_SMS_BACKEND = f"{__name__}.DownGateway"
    c = submit_complaint(identity_mode="confidential", name="张晓明", phone="13912345678", email="zhang@example.com")
    now = timezone.now()
    services.complaint_accept(complaint=c, by=office["supervisor"], now=now)
    for _ in range(services.MESSAGE_MAX_ATTEMPTS):
        services.complainant_messages_send(now=now)
    m = ComplainantMessage.objects.get(complaint=c, channel="sms")
    assert m.status == "failed"
    page = phone_page
    login(page, "supervisor")
    page.goto(f"/staff/complaints/{c.number}/")
    page.click("[data-testid=messages-link]")
    page.wait_for_selector("[data-testid=messages]")
    text = page.inner_text("main")
    assert "发送失败" in text and "短信" in text and "13912345678" not in text and "zhang@example.com" not in text
    shot(page, "complaints-messages-failed-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    sms.outbox.clear()
    page.dblclick(f"[data-testid=message-{m.pk}] [data-testid=retry]")  # a double click sends once
    page.wait_for_selector(".alert")
    assert "通知已重新发送" in page.inner_text("main")
    assert page.locator(f"[data-testid=message-{m.pk}] [data-testid=status]").inner_text() == "已发送"
    assert len(sms.outbox) == 1
    shot(page, "complaints-messages-retried-phone")


def test_the_county_mailbox_greets_neutrally(page, office, depts, settings):
    """Issue 10 §4 in a browser: a county's public mailbox is 县长信箱 (it said 区长信箱), and a published reply
    opens with 您好, not with the mask token 【投诉人】您好."""
    settings.XIAONENG_COUNTY_NAME = "清源县"
    c = submit_complaint(identity_mode="confidential", name="张晓明", phone="13912345678")
    sup, now = office["supervisor"], timezone.now()
    services.complaint_accept(complaint=c, by=sup, now=now)
    d = services.complaint_dispatch(complaint=c, by=sup, now=now, departments=[depts["a"]])[0]
    services.dispatch_result(dispatch=d, by=office["handler"], now=now, outcome="substantiated",
                             findings="窗口确有拖延。", measures="已批评教育并限期办结。")
    r = services.reply_draft(complaint=c, by=sup, now=now, text="张晓明您好！您反映的问题属实，已责令限期办结。")
    services.reply_review(reply=r, by=sup, now=now, approve=True, publishable=True)
    page.goto("/complaints/")
    assert "县长信箱" in page.inner_text("main") and "区长信箱" not in page.content()
    page.goto(f"/complaints/mailbox/{c.number}/")
    reply = page.locator("[data-testid=public-reply]").inner_text()
    assert reply.startswith("您好！您反映的问题属实") and "张晓明" not in page.content()
    assert page.locator("nav.breadcrumb, nav[aria-label=breadcrumb]").first.inner_text().startswith("县长信箱")
    shot(page, "complaints-county-mailbox-reply")
