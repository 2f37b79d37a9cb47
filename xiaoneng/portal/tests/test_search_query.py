"""The search query on a hand-built index: the same answers and the same order on SQLite and PostgreSQL (the
suite runs on both), two-character and one-character words, several words ranked by the stated score, LIKE
wildcards taken literally, bad queries refused in Chinese, snippets escaped before they are marked."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaoneng.core.errors import DomainError
from xiaoneng.portal.models import SearchDocument
from xiaoneng.portal.search import parse_query, search, snippet

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 9, 9, 0, tzinfo=TZ)

# key: (kind, title, body, days after T0)
FIXTURE = {
    "g1": ("guide", "户口迁移登记", "办理户口迁入、迁出，需提供居民户口簿。", 0),
    "g2": ("guide", "社会保障卡申领", "首次申领社保卡，携带身份证。社保卡可在银行网点领取。", 1),
    "g3": ("guide", "食品经营许可证核发", "从事食品销售和餐饮服务活动，应当依法取得许可。", 2),
    "d1": ("disclosure", "2026年9月财政预算执行情况", "本月社保基金支出与户口整顿专项经费如下。", 3),
    "d2": ("disclosure", "关于100%_完成率的说明", "完成率 100% 的计算口径：已办结\\全部。", 4),
    "r1": ("reply", "市场监督管理局 · 服务态度", "经调查，窗口人员<b>态度</b>生硬属实，已批评教育。", 5),
    "b1": ("bulletin", "关于2026年第三季度机关效能考核结果的通报", "户口办理窗口得到表扬，社保窗口被通报。", 6),
    "e1": ("answer", "关于“户籍”的答复", "Passport renewal and HUKOU transfer: see the guide.", 7),
}


@pytest.fixture
def index(db):
    docs = {}
    for key, (kind, title, body, days) in FIXTURE.items():
        docs[key] = SearchDocument.objects.create(kind=kind, key=key, title=title, body=body, url=f"/x/{key}/",
                                                  published_at=T0 + timedelta(days=days))
    return docs


def keys(results) -> list[str]:
    return [h.doc.key for h in results.hits]


def test_two_character_word_finds_title_hits_before_body_hits_newest_first(index):
    r = search("户口", limit=50)
    # title hits (3 + body 1 for g1 and b1? b1 has it in its body only) — scores written by hand:
    # g1: title+body = 4; d1: body = 1; b1: body = 1; e1: no (户籍 ≠ 户口)
    assert keys(r) == ["g1", "b1", "d1"]
    assert r.total == 3 and [h.score for h in r.hits] == [4, 1, 1]


def test_social_security_two_characters(index):
    r = search("社保", limit=50)
    # g2 body only (社保卡 twice, counted once) = 1; d1 body = 1; b1 body = 1 → newest first: b1, d1, g2
    assert keys(r) == ["b1", "d1", "g2"]


def test_more_words_matched_rank_first(index):
    r = search("户口 社保", limit=50)
    # d1 and b1 match both words (body, body): matched 2, score 2; g1 matches one (score 4); g2 one (score 1)
    assert keys(r) == ["b1", "d1", "g1", "g2"]
    assert [h.matched for h in r.hits] == [2, 2, 1, 1]


def test_full_width_space_splits_words(index):
    assert keys(search("户口\u3000社保", limit=50)) == keys(search("户口 社保", limit=50))


def test_single_character_searches(index):
    r = search("卡", limit=50)
    assert keys(r) == ["g2"]  # 社会保障卡 (title) — only g2 has 卡 anywhere


def test_three_or_more_characters_through_the_text_index(index):
    assert keys(search("食品经营", limit=50)) == ["g3"]
    assert keys(search("经营许可证", limit=50)) == ["g3"]
    assert keys(search("不存在的事项", limit=50)) == []


def test_latin_words_ignore_case(index):
    assert keys(search("hukou", limit=50)) == ["e1"]
    assert keys(search("PASSPORT", limit=50)) == ["e1"]
    assert keys(search("ss", limit=50)) == ["e1"]  # short: LIKE / ILIKE, still case-insensitive for ASCII


@pytest.mark.parametrize("q, expected", [
    ("%", ["d2"]), ("_", ["d2"]), ("100%_", ["d2"]), ("\\", ["d2"]), ("%%%", []), ("__", []),
    ('"', []), ("'", []), ("a*", []), ("NOT", []), ("OR", ["e1"]), ("NEAR(", []),
])
def test_wildcards_and_fts_syntax_are_literal(index, q, expected):
    assert keys(search(q, limit=50)) == expected


def test_kind_filter_and_counts(index):
    r = search("户口", kinds=["guide"], limit=50)
    assert keys(r) == ["g1"] and r.total == 1
    assert r.counts == {"guide": 1, "disclosure": 1, "bulletin": 1}


def test_paging(index):
    r = search("户口 社保", limit=2, offset=2)
    assert keys(r) == ["g1", "g2"] and r.total == 4
    assert keys(search("户口 社保", limit=2, offset=4)) == []


@pytest.mark.parametrize("q", ["", "   ", "\u3000\u3000", None, "户" * 51, "a\x00b"])
def test_bad_queries_are_refused_in_chinese(db, q):
    with pytest.raises(DomainError) as e:
        search(q)
    assert e.value.field == "q"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in e.value.message)


def test_bad_kind_is_refused(db):
    with pytest.raises(DomainError) as e:
        search("户口", kinds=["nonsense"])
    assert e.value.field == "kind"


def test_fifty_characters_is_accepted(index):
    assert search("户" * 50).total == 0


def test_duplicate_words_count_once():
    assert parse_query("户口 户口 HUKOU hukou") == ["户口", "HUKOU"]


def test_snippet_escapes_then_marks(index):
    r = search("态度", limit=5)
    assert keys(r) == ["r1"]
    html = str(r.hits[0].snippet_html)
    assert "&lt;b&gt;<mark>态度</mark>&lt;/b&gt;" in html and "<b>" not in html
    assert r.hits[0].snippet_text.startswith("经调查，窗口人员<b>态度</b>")


def test_snippet_window_around_first_hit():
    body = "甲" * 100 + "户口" + "乙" * 300
    html, text = snippet(body, ["户口"])
    assert text.startswith("…" + "甲" * 30 + "户口") and text.endswith("…")
    assert "<mark>户口</mark>" in str(html)
    html, text = snippet("短文本", ["无"])
    assert text == "短文本" and str(html) == "短文本"


def test_mark_cannot_break_an_entity():
    # "amp" is inside "&amp;" after escaping: marking before escaping would break it; we escape first.
    html, _ = snippet("A&B amp", ["amp"])
    assert str(html) == "A&amp;B <mark>amp</mark>"


def test_query_count_is_bounded(index, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        search("户口 社保 许可 食品经营", limit=10)


@settings(max_examples=200, deadline=None)
@given(body=st.text(alphabet="户口社保<>&\"' ab%_\\", max_size=300),
       terms=st.lists(st.text(alphabet="户口社保<>&ab", min_size=1, max_size=3), min_size=1, max_size=3))
def test_snippet_is_always_the_escaped_window_with_marks(body, terms):
    """Whatever the text and the words: removing the <mark> tags and unescaping gives back the plain snippet,
    and no tag other than <mark> ever appears."""
    import html as html_lib

    marked, plain = snippet(body, terms)
    s = str(marked)
    assert html_lib.unescape(s.replace("<mark>", "").replace("</mark>", "")) == plain
    assert "<" not in s.replace("<mark>", "").replace("</mark>", "")
