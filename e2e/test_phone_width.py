"""Every page at phone width (390 × 844, issue 10 §5): each public and staff page the permission matrix knows
(security/test_permission_matrix.py MATRIX, so a new page joins this check by joining the matrix), opened as
a role that may read it, on the security tests' world of objects in two bureaus. On every page:

- the page body does not scroll sideways (document.scrollingElement.scrollWidth <= innerWidth): wide tables
  scroll inside their .table-responsive wrapper, never the page;
- no table cell is squeezed below four Chinese characters per line (or its whole text, when shorter): the
  complaint table once showed columns 1-3 characters wide;
- no header or navigation link and no button breaks inside its text (the public header once read 办事指/南).

A full-page screenshot of each page goes to artefacts/screenshots/phone-<page>-<db>.png, to look at.
"""

from __future__ import annotations

import re

import pytest

from e2e.conftest import ARTEFACTS, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who opens a staff page: the first of these that the matrix lets read it (200), so department pages are seen
# as the department sees them and office pages as the office does.
STAFF_ORDER = ("head_a", "handler_a", "window_a", "supervisor", "leader", "admin")
# Pages seen by more than one role, because each role gets another layout or other columns.
ALSO = {"complaints:inbox": ("supervisor",), "cases:case_list": ("supervisor",), "core:home": STAFF_ORDER}

# `vw` is the phone's width: a mobile browser widens its layout viewport (innerWidth) to a page that overflows,
# so the page is measured against the screen it is shown on as well.
MEASURE = """(vw) => {
  const cjk = /[\\u3400-\\u9fff\\uf900-\\ufaff]/g;
  const visible = (el) => el.offsetParent !== null || getComputedStyle(el).position === "fixed";
  const label = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
    ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "") + " “" +
    el.innerText.trim().slice(0, 24) + "”";
  const out = { overflow: document.scrollingElement.scrollWidth - Math.min(window.innerWidth, vw), squeezed: [],
                broken: [] };
  for (const el of document.querySelectorAll("main td, main th")) {
    if (!visible(el)) { continue; }
    const n = (el.innerText.match(cjk) || []).length;
    if (n < 2) { continue; }
    const cs = getComputedStyle(el);
    const width = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const need = Math.min(n, 4) * parseFloat(cs.fontSize) * 0.95;
    if (width < need) { out.squeezed.push(label(el) + " " + Math.round(width) + "px"); }
  }
  for (const el of document.querySelectorAll("header a, nav a, .btn")) {
    if (!visible(el) || !(el.innerText.match(cjk) || []).length) { continue; }
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set();
    for (const r of range.getClientRects()) { if (r.width > 0 && r.height > 0) { tops.add(Math.round(r.top / 4)); } }
    if (tops.size > 1) { out.broken.push(label(el)); }
  }
  if (out.overflow > 0) {
    // Name what makes the page wide: from <body> down, the child whose removal narrows the page, while one
    // does (a diagnosis for the person reading the failure; the page is restored as it was).
    const width = () => document.scrollingElement.scrollWidth;
    let el = document.body, path = [];
    for (let depth = 0; depth < 40 && el; depth++) {
      const before = width();
      let next = null;
      for (const child of el.children) {
        const old = child.style.display;
        child.style.display = "none";
        const narrower = width() < before;
        child.style.display = old;
        if (narrower) { next = child; break; }
      }
      if (!next) { break; }
      path.push(label(next));
      el = next;
    }
    out.culprits = path.slice(-3);
  }
  return out;
}"""


def _pages(world) -> dict[str, list[tuple[str, str]]]:
    """principal key ("anonymous" for the public) → [(page name, URL)] of every HTML page it may read."""
    from security.conftest import PRINCIPALS
    from security.test_permission_matrix import MATRIX, Public, Staff, url_for

    out: dict[str, list[tuple[str, str]]] = {}
    for name, row in MATRIX.items():
        if row.shadowed_by or name.startswith(("admin:", "api:", "open311:")):
            continue
        for variant, (fn, dept) in row.targets.items():
            rule = row.rule("read", variant)
            if isinstance(rule, Public) and rule.code == 200:
                who = ["anonymous"]
            elif isinstance(rule, Staff) and rule.ok == 200:
                who = [k for k in STAFF_ORDER if rule.expect(PRINCIPALS[k], dept) == 200]
                who = who[:1] + [k for k in ALSO.get(name, ()) if k in who[1:]]
            else:
                continue
            if not who:
                continue
            url = url_for(name, fn(world.obj))
            if row.query:
                from urllib.parse import urlencode

                url += "?" + urlencode(row.query)
            for key in who:
                out.setdefault(key, []).append((f"{name}[{variant}]", url))
            break  # one object per page is enough: the other bureau's looks the same
    return out


@pytest.fixture
def world(settings, tmp_path):
    from security.conftest import build_world

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XIAONENG_COMPLAINTS = {"RATE_PER_IP": "100000/h", "RATE_PER_CONTACT": "100000/h"}
    settings.XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.LocmemBackend"
    return build_world()


def test_every_page_fits_a_phone(phone_page, world):
    page = phone_page
    problems, seen = [], 0
    for who, urls in _pages(world).items():
        page.context.clear_cookies()
        if who != "anonymous":
            login(page, who)
        for name, url in urls:
            head = page.request.get(url, max_redirects=0)
            if "text/html" not in head.headers.get("content-type", "") or "attachment" in head.headers.get(
                    "content-disposition", ""):
                continue  # a file (export, attachment, calendar feed): not a page
            if "<meta name=\"viewport\"" not in head.text():
                continue  # a fragment a page loads into itself (the monitor's panel), not a page of its own
            response = page.goto(url)
            if response is None or response.status != 200:
                problems.append(f"{who} {url}: HTTP {response and response.status}")
                continue
            page.wait_for_load_state("load")
            got = page.evaluate(MEASURE, page.viewport_size["width"])
            seen += 1
            where = f"{who} {url}"
            if got["overflow"] > 0:
                problems.append(f"{where}: the page scrolls sideways by {got['overflow']}px ({got['culprits']})")
            problems += [f"{where}: squeezed cell {s}" for s in got["squeezed"][:5]]
            problems += [f"{where}: broken link/button {s}" for s in got["broken"][:5]]
            shot(page, "phone-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{name}-{who}").strip("-"))

    (ARTEFACTS / "phone-width-problems.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert seen >= 60, seen  # the matrix's pages, not a handful
    assert problems == [], "\n".join(problems)
