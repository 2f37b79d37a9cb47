"""The masker of complaint text (privacy.mask_contacts, Redactor, scrub_identity, mask_personal_data), by
property: every common written form of a Chinese mobile or landline number, an 18-digit ID number and an
e-mail address, generated with hypothesis (separators anywhere, +86 prefixes, brackets, full-width digits and
＠, surrounding Chinese text), leaves no digit of the original behind; the complainant's own name and contacts
are found however they are written; and ordinary text — dates, amounts, times, case and complaint numbers —
comes through unchanged.

The balance: a number is masked when it has the shape of a phone (11 digits from 1[3-9], or an area code and
7-8 digits), an ID number (18 with X), a bank card (groups of four), or follows a word for a phone or an
account (电话、手机、QQ、微信 …), or is a run of 9+ digits that is not an amount (a lettered code glued to 9+ digits is masked too). Dates,
amounts, clock times and dashed codes are not, even when they sit right next to a masked number."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaoneng.complaints.privacy import PH_CONTACT, PH_NAME, Redactor, mask_contacts, mask_personal_data

PROPERTY = settings(max_examples=200, deadline=None, database=None)
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")

# Surrounding text: Chinese and punctuation, no digits, no Latin letters, no word that announces a number.
CONTEXT = st.text(alphabet=st.sampled_from(list("的了是我在窗口办理投诉请反映情况工作人员态度差拖延说要等领导签字，。：；！？、 \n")),
                  max_size=20)
SEPARATORS = [" ", "-", ".", "－", "\u3000", " - ", "·", "—", "  ", "．"]
PREFIXES = ["", "+86", "+86 ", "+86-", "＋８６ ", "(+86)", "（+86）", "(86) ", "0086 ", "86 ", "86-"]


def _digits_of(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def _widen(draw, text: str) -> str:
    how = draw(st.sampled_from(["none", "all", "some"]))
    if how == "none":
        return text
    if how == "all":
        return text.translate(WIDE)
    flags = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.translate(WIDE) if f else ch for ch, f in zip(text, flags, strict=True))


def _split(digits: str, groups: list[int]) -> list[str]:
    out, i = [], 0
    for n in groups:
        out.append(digits[i:i + n])
        i += n
    return [g for g in out if g]


@st.composite
def mobiles(draw):
    """(digits, as written): 139 1234 5678, +86-13912345678, １３９１２３４５６７８, 1391-234-5678 …"""
    digits = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
    style = draw(st.sampled_from(["none", "3-4-4", "3-8", "4-4-3", "3-3-5", "any"]))
    sep = draw(st.sampled_from(SEPARATORS))
    if style == "none":
        body = digits
    elif style == "any":
        cuts = draw(st.lists(st.booleans(), min_size=10, max_size=10))
        body = "".join(d + (sep if i < 10 and cuts[i] else "") for i, d in enumerate(digits))
    else:
        body = sep.join(_split(digits, [int(n) for n in style.split("-")]))
    return digits, draw(st.sampled_from(PREFIXES)) + _widen(draw, body)


@st.composite
def landlines(draw):
    """(digits, as written): 0571-88886666, (0571) 8888 6666, （010）8888-6666, +86 571 8888 6666 …"""
    area = draw(st.sampled_from(["010", "020", "021", "027", "0571", "0755", "0898", "0931", "0377"]))
    size = 8 if len(area) == 3 else draw(st.sampled_from([7, 8]))
    local = draw(st.from_regex(rf"[2-9][0-9]{{{size - 1}}}", fullmatch=True))
    sep = draw(st.sampled_from(SEPARATORS))
    half = [local[:size // 2], local[size // 2:]]
    form = draw(st.sampled_from(["dash", "brackets", "cn_brackets", "intl", "spaced", "glued", "extension"]))
    written = {
        "dash": f"{area}-{local}",
        "brackets": f"({area}) {sep.join(half)}",
        "cn_brackets": f"（{area}）{local}",
        "intl": f"{draw(st.sampled_from(['+86 ', '+86-', '0086 ', '＋８６ ']))}{area[1:]}{sep}{sep.join(half)}",
        "spaced": f"{area}{sep}{sep.join(half)}",
        "glued": f"{area}{local}",
        "extension": f"{area}-{local}转{draw(st.integers(1, 9999))}",
    }[form]
    return area + local, _widen(draw, written)


@st.composite
def id_numbers(draw):
    """(digits, as written): 330102199001011234, 330102 19900101 123X, 330102-1990-0101-123x …"""
    body = draw(st.from_regex(r"[1-8][0-9]{16}", fullmatch=True)) + draw(st.sampled_from("0123456789Xx"))
    sep = draw(st.sampled_from([" ", "-", "\u3000", " - ", ""]))
    groups = draw(st.sampled_from([[18], [6, 8, 4], [6, 4, 4, 4], [6, 12]]))
    return body, _widen(draw, sep.join(_split(body, groups)))


@st.composite
def emails(draw):
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{1,10}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z0-9]{2,10}", fullmatch=True)) + draw(st.sampled_from(
        [".com", ".cn", ".com.cn", ".gov.cn", ".net", ".org"]))
    at = draw(st.sampled_from(["@", " @ ", "＠", " ＠ ", "@ "]))
    written = f"{local}{at}{domain}"
    if draw(st.booleans()):  # full-width letters and dots, as typed on a phone's Chinese keyboard
        written = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and c != "@" else c for c in written)
    return local, domain, written


@given(CONTEXT, mobiles(), CONTEXT)
@PROPERTY
def test_no_digit_of_a_mobile_number_survives(a, mobile, b):
    _digits, written = mobile
    out = mask_contacts(f"{a}{written}{b}")
    assert _digits_of(out) == "", (written, out)


@given(CONTEXT, landlines(), CONTEXT)
@PROPERTY
def test_no_digit_of_a_landline_number_survives(a, landline, b):
    _digits, written = landline
    out = mask_contacts(f"{a}{written}{b}")
    assert _digits_of(out) == "", (written, out)


@given(CONTEXT, id_numbers(), CONTEXT)
@PROPERTY
def test_no_digit_of_an_id_number_survives(a, idno, b):
    _body, written = idno
    out = mask_contacts(f"{a}{written}{b}")
    assert _digits_of(out) == "" and "X" not in out.upper(), (written, out)


@given(CONTEXT, emails(), CONTEXT)
@PROPERTY
def test_no_part_of_an_email_address_survives(a, email, b):
    local, domain, written = email
    out = unicodedata.normalize("NFKC", mask_contacts(f"{a}{written}{b}"))
    assert "@" not in out and not any("a" <= ch.lower() <= "z" for ch in out), (written, out)


@given(CONTEXT, mobiles(), CONTEXT, id_numbers(), CONTEXT, landlines(), CONTEXT)
@PROPERTY
def test_several_numbers_in_one_text(a, mobile, b, idno, c, landline, d):
    text = f"{a}{mobile[1]}，{b}{idno[1]}，{c}{landline[1]}{d}"
    assert _digits_of(mask_contacts(text)) == "", text


NAME_CHARS = "欧阳秘密晓明丽华建国芳"


@given(CONTEXT, st.text(alphabet=NAME_CHARS, min_size=2, max_size=4), st.sampled_from(["", " ", "·", "　"]),
       mobiles(), CONTEXT)
@PROPERTY
def test_the_complainants_own_name_and_phone_however_written(a, name, gap, mobile, b):
    digits, written = mobile
    red = Redactor([name], [digits])
    out = red(f"{a}我叫{gap.join(name)}，电话{written}。{name}{b}")
    assert _digits_of(out) == ""
    assert not any(ch in NAME_CHARS for ch in out), out
    assert PH_NAME in out and (PH_CONTACT in out)


@given(landlines(), CONTEXT)
@PROPERTY
def test_the_complainants_own_landline_with_and_without_area_code(landline, a):
    digits, written = landline
    local = digits[-8:] if len(digits) >= 11 else digits[-7:]
    out = Redactor(["某某某"], [digits]).identity(f"{a}{written}，或者直接打{local[:4]} {local[4:]}")
    assert _digits_of(out) == "", out


@given(id_numbers(), emails(), CONTEXT)
@PROPERTY
def test_the_complainants_own_id_number_and_email(idno, email, a):
    body, written_id = idno
    local, domain, written_email = email
    red = Redactor([], [body, f"{local}@{domain}"])
    out = unicodedata.normalize("NFKC", red.identity(f"{a}身份证{written_id}，邮箱{written_email}"))
    assert _digits_of(out) == "" and "@" not in out, out


# --------------------------------------------------------------------------------------------- ordinary text
@st.composite
def ordinary(draw):
    """Text the masker must leave alone."""
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
    kind = draw(st.sampled_from(["date", "date_cn", "date_dot", "amount", "amount_yuan", "amount_cny", "time",
                                 "case_no", "complaint_no", "window", "count"]))
    if kind == "date":
        return day.isoformat()
    if kind == "date_cn":
        return f"{day.year}年{day.month}月{day.day}日"
    if kind == "date_dot":
        return day.strftime("%Y.%m.%d")
    if kind == "amount":
        return f"{draw(st.integers(1, 999_999_999)):,}元"
    if kind == "amount_yuan":
        return f"{draw(st.integers(1, 99_999_999))}元"
    if kind == "amount_cny":
        return f"¥{draw(st.integers(1, 9_999_999_999)):,}.{draw(st.integers(0, 99)):02d}"
    if kind == "time":
        return f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"
    if kind == "case_no":
        return draw(st.from_regex(r"[A-Z]{2}-[A-Z]{3}-20[0-9]{6}-[0-9]{4}", fullmatch=True))
    if kind == "complaint_no":
        return draw(st.from_regex(r"TS20[0-9]{2}-[0-9]{6}", fullmatch=True))
    if kind == "window":
        return f"{draw(st.integers(1, 99))}号窗口"
    return f"第{draw(st.integers(1, 999))}次"


@given(CONTEXT, ordinary(), CONTEXT)
@PROPERTY
def test_ordinary_text_is_not_mangled(a, text, b):
    assert mask_contacts(f"{a}{text}{b}") == f"{a}{text}{b}"


@given(ordinary(), st.sampled_from([" ", "，", "、", "；"]), mobiles(), ordinary())
@PROPERTY
def test_ordinary_text_next_to_a_number_survives(before, sep, mobile, after):
    out = mask_contacts(f"{before}{sep}电话{mobile[1]}，{after}")
    assert out.startswith(before + sep) and out.endswith("，" + after), out
    assert mobile[0][-4:] not in _digits_of(out.removeprefix(before).removesuffix(after))


@pytest.mark.parametrize("written", [
    "139 1234 5678", "139-1234-5678", "+86 139 1234 5678", "+86-13912345678", "(0571) 8888 6666", "0571-88886666",
    "１３９１２３４５６７８", "139.1234.5678", "（0571）88886666转123", "+86 571 8888 6666", "010-8888 6666",
    "330102 19900101 123X", "330102-1990-0101-123x", "a.b @ qq.com", "ａｂｃ＠ｑｑ．ｃｏｍ", "zhang ＠ example.com",
    "6222 0212 3456 7890 123", "8613912345678",
])
def test_examples_from_the_probe(written):
    out = mask_contacts(f"我的联系方式是{written}，请尽快处理。")
    assert out.startswith("我的联系方式是【") and out.endswith("】，请尽快处理。"), out


@pytest.mark.parametrize("text, kept", [
    ("电话：8888 6666", "电话：【号码已隐去】"), ("QQ 12345678", "QQ 【号码已隐去】"), ("微信号：zhang_san88", "微信号：【账号已隐去】"),
    ("热线12345", "热线12345"), ("办件编号XK2026120400001", "办件编号XK【号码已隐去】"),
    ("XK-0571-20261204-0001", "XK-0571-20261204-0001"), ("第13、14、15号窗口", "第13、14、15号窗口"),
    ("收费123456789元", "收费123456789元"), ("2026-12-05 14:30", "2026-12-05 14:30"),
])
def test_announced_numbers_and_codes(text, kept):
    assert mask_contacts(text) == kept


def test_public_masking_adds_names_and_addresses():
    out = mask_personal_data("李明同志说，请联系139 1234 5678，住在幸福小区3栋2单元501室，人民路88号。我叫张三丰。",
                             names=["张三丰"])
    for s in ("李明", "1234", "幸福小区", "人民路88号", "张三丰"):
        assert s not in out, s
    assert "李某" in out and "【投诉人】" in out


def test_latin_names_are_whole_words():
    red = Redactor(["Li Ming"], [])
    assert red("Li Ming 说 police 和 limit 都没问题，LIMING 也是他。") == "【投诉人】 说 police 和 limit 都没问题，【投诉人】 也是他。"
    assert Redactor(["Li"], []).identity("police Li") == "police 【投诉人】"
