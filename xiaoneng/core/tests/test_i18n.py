"""The English translation: a complete catalogue, compiled, with intact placeholders, and pages that switch.

The .po file is parsed by hand (no polib in the project); `make messages` refreshes and compiles it.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse

LC = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
PO, MO = LC / "django.po", LC / "django.mo"

# %(name)s-style placeholders (blocktranslate variables become these), and HTML tags kept in msgids.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|</?[a-zA-Z][^>]*>")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list of forms), flags, line."""
    entries: list[dict] = []
    cur: dict | None = None
    key: tuple | None = None

    def finish():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if cur is not None and "msgstr" in cur:  # a comment after a complete entry starts the next one
                finish()
                cur = None
            cur = cur or {"flags": set(), "msgstr": {}, "line": lineno}
            if line.startswith("#,"):
                cur["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if m:
            kw, idx, text = m.groups()
            if kw in ("msgctxt", "msgid") and cur is not None and cur.get("msgstr"):
                finish()
                cur = None
            cur = cur or {"flags": set(), "msgstr": {}, "line": lineno}
            value = ast.literal_eval(text)
            if kw == "msgstr":
                key = ("msgstr", int(idx or 0))
                cur["msgstr"][key[1]] = value
            else:
                key = (kw,)
                cur[kw] = value
            continue
        assert line.startswith('"'), f"{path.name}:{lineno}: unexpected line {raw!r}"
        value = ast.literal_eval(line)
        if key[0] == "msgstr":
            cur["msgstr"][key[1]] += value
        else:
            cur[key[0]] += value
    finish()
    return entries


ENTRIES = parse_po(PO)
MESSAGES = [e for e in ENTRIES if e["msgid"]]


def _label(e: dict) -> str:
    return f"django.po:{e['line']}: {e['msgid'][:40]!r}"


def test_catalogue_is_parsed_and_has_every_app():
    assert len(MESSAGES) > 400
    assert ENTRIES[0]["msgid"] == "" and "Language: en" in ENTRIES[0]["msgstr"][0]
    assert "nplurals=2" in ENTRIES[0]["msgstr"][0]
    for msgid in ("办事指南", "工作人员登录", "工作日历", "事项目录", "工作台"):
        assert any(e["msgid"] == msgid for e in MESSAGES), msgid


def test_every_msgstr_is_filled_and_not_fuzzy():
    problems = []
    for e in ENTRIES:
        if "fuzzy" in e["flags"]:
            problems.append(f"{_label(e)} is fuzzy")
        if not e["msgid"]:
            continue
        forms = e["msgstr"]
        expected = [0, 1] if "msgid_plural" in e else [0]
        if sorted(forms) != expected or not all(forms[i].strip() for i in expected):
            problems.append(f"{_label(e)} has an empty msgstr")
    assert not problems, "\n".join(problems)


def test_placeholders_and_tags_survive_translation():
    problems = []
    for e in MESSAGES:
        sources = [e["msgid"]] + ([e["msgid_plural"]] if "msgid_plural" in e else [])
        allowed = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        for i, text in e["msgstr"].items():
            got = PLACEHOLDER.findall(text)
            need = Counter(PLACEHOLDER.findall(sources[min(i, len(sources) - 1)]))
            missing = sorted((need - Counter(got)).elements())
            extra = [p for p in got if p not in allowed]  # an unknown %(name)s would raise KeyError at render
            if missing or extra:
                problems.append(f"{_label(e)} msgstr[{i}]: missing {missing}, unknown {extra}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po():
    """The .mo is committed (test and demo machines may lack gettext): it must be recompiled with the .po."""
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for e in MESSAGES:
        ctx = e.get("msgctxt")
        if "msgid_plural" in e:
            got = [
                mo.npgettext(ctx, e["msgid"], e["msgid_plural"], n)
                if ctx
                else mo.ngettext(e["msgid"], e["msgid_plural"], n)
                for n in (1, 2)
            ]
            want = [e["msgstr"][0], e["msgstr"][1]]
        else:
            got = [mo.pgettext(ctx, e["msgid"]) if ctx else mo.gettext(e["msgid"])]
            want = [e["msgstr"][0]]
        if got != want:
            stale.append(_label(e))
    assert not stale, "django.mo is stale; run `make messages`:\n" + "\n".join(stale)


PAGES = {
    # url name: (English strings, Chinese strings)
    "portal:home": (
        ["Service guides", "Working-day calculator", "Staff login"],
        ["办事指南", "工作日计算", "工作人员登录"],
    ),
    "accounts:login": (
        ["Staff login", "Username", "Password", "Log in"],
        ["工作人员登录", "登录名", "密码"],
    ),
    "catalog:guide_list": (
        ["Service guides", "Implementing department", "All departments", "0 items"],
        ["办事指南", "实施部门", "全部部门", "共 0 个事项"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_speak_english_for_accept_language_en(client, name):
    english, chinese = PAGES[name]
    resp = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en")
    body = resp.content.decode()
    assert resp.status_code == 200 and '<html lang="en">' in body
    for text in english:
        assert text in body, text
    assert "政务服务与效能监督" not in body  # the site title in the header is translated too


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_speak_chinese_by_default(client, name):
    english, chinese = PAGES[name]
    resp = client.get(reverse(name))
    body = resp.content.decode()
    assert resp.status_code == 200 and '<html lang="zh-CN">' in body
    for text in chinese:
        assert text in body, text
    assert "Service guides" not in body and "Staff login" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_language_selector_names_each_language_in_itself(client, lang):
    """A reader looks for their own language's name: 简体中文 and English, whatever the page's language (the
    Chinese page used to offer "英语")."""
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    select = html[html.index('id="lang-select"'):html.index("</select>", html.index('id="lang-select"'))]
    assert ">简体中文</option>" in select and ">English</option>" in select and "英语" not in select
