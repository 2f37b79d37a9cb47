"""Browser, phone width, no account (issue 14 §5): a citizen follows a case with the look-up code printed on its
receipt, reads a department's figures (the trend chart drawn under the page's CSP, the table under it), the
published ranking and a published bulletin; axe finds no serious or critical violation on any of these pages.
Screenshots in artefacts/screenshots/portal-figures-*."""

from __future__ import annotations

import pytest

from e2e.conftest import shot
from e2e.test_accessibility import AXE
from xiaoneng.portal.tests.conftest import (  # noqa: F401  (fixtures)
    NOW,
    _supervision_env,
    ended_case,
    ingest,
    items,
    make_item,
    people,
    published,
    quarters,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(browser, url: str) -> list[str]:
    # axe is injected as a script the pages' CSP would refuse; only this context bypasses the CSP.
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
    pg = ctx.new_page()
    try:
        pg.goto(url)
        pg.add_script_tag(path=str(AXE))
        result = pg.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
        return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
                for v in result["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        ctx.close()


def test_a_citizen_follows_a_case_and_reads_the_figures(phone_page, browser, published, people, live_server):  # noqa: F811
    from xiaoneng.cases.models import Case
    from xiaoneng.evaluation.services.bulletins import bulletin_generate, bulletin_publish

    b = bulletin_publish(bulletin_generate(published["q3"], now=NOW, by=people["supervisor"]), now=NOW)
    case = Case.objects.get(case_no="A2")
    page = phone_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # 1. The look-up: a wrong code first (the same words as an unknown number), then the code as printed,
    # typed in lower case with a dash.
    page.goto("/progress/")
    page.fill("#id_case_no", "A2")
    page.fill("#id_code", "ABCD-EFGH" if case.query_code != "ABCDEFGH" else "HGFE-DCBA")
    page.click("[data-testid=progress-submit]")
    assert "未查到相符的办件" in page.locator("[data-testid=progress-notice]").inner_text()
    shot(page, "portal-figures-progress-miss")
    page.fill("#id_code", (case.query_code[:4] + "-" + case.query_code[4:]).lower())
    page.click("[data-testid=progress-submit]")
    result = page.locator("[data-testid=progress-result]")
    assert "已办结" in result.inner_text() and "测试县市场监督管理局" in result.inner_text()
    assert "张三" not in page.content() and "13812345678" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "portal-figures-progress")

    # 2. A department's figures: the latest quarter's cards, the chart drawn (canvas) and the table under it.
    page.goto("/departments/TA/")
    assert "50%" in page.locator("[data-testid=figure-on_time_rate]").inner_text()
    assert "样本较少" in page.locator("[data-testid=figure-on_time_rate]").inner_text()
    page.wait_for_selector("#chart-dept-trend canvas")
    assert page.locator("[data-testid=table-trend] tbody tr").count() == 2
    shot(page, "portal-figures-department")

    # 3. The ranking, then the bulletin from the list, and its PDF link.
    page.goto("/rankings/")
    assert page.locator("text=测试县自然资源局").count() >= 1
    shot(page, "portal-figures-rankings")
    page.goto("/bulletins/")
    page.click(f"text={b.title}")
    page.wait_for_url(f"**/bulletins/{b.pk}/")
    assert b.content["number"] in page.locator("[data-testid=bulletin]").inner_text()
    assert page.get_attribute("[data-testid=pdf]", "href") == f"/bulletins/{b.pk}/pdf/"
    shot(page, "portal-figures-bulletin")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    for url in ("/progress/", "/departments/TA/", "/departments/TB/", "/rankings/", "/bulletins/",
                f"/bulletins/{b.pk}/"):
        assert _violations(browser, live_server.url + url) == [], url
