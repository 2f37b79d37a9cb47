"""Masking of personal data in text: phone numbers, ID numbers, bank cards, e-mail addresses and accounts in
any written form, a given person's own name and contacts, street addresses and names, the secret part of
links, and a recipient's phone or address for a log line.

In core because every layer writes text that may hold someone's contacts: complaint pages (the complaints
app's `privacy` module re-exports these and decides who reads what), the SMS backends' log lines
(`core/sms_backends.py`) and the send errors of every message to a person (`core/outbox.py`): gateways and
mail servers quote the number or address they refused.

Three levels of masking, each the one before plus more:
- `mask_contacts`: every phone, ID number, bank card, e-mail address, QQ/WeChat account and long run of digits
  the patterns recognise. Nothing else: dates (2026-12-05), amounts (1,200元), times, case numbers
  (QY-SWU-20261204-0010), complaint numbers (TS2026-000123), window numbers and the names of the staff
  complained about stay, because the department needs them to investigate.
- `scrub_identity` (a `Redactor`): first the person's own name, phone, e-mail, address and ID number in any
  written form (spaces, dashes, dots, brackets, +86, full-width digits and ＠) replaced, then `mask_contacts`.
- `mask_personal_data` (public pages, logs, stored errors): also every street address and personal name the
  patterns recognise.
Masks replace the whole number with a placeholder rather than keeping its first and last digits
("139****5678"): a department holds its applicants' phone numbers in its case records, and seven known digits
would pick the complainant out of them. Pattern masking is a safety net, not a proof.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------- written numbers
# Python's \d is Unicode: it matches full-width ０-９ as well as 0-9, so every pattern below takes both.
# What people put between digit groups: spaces (also ideographic and no-break), dashes of every width, dots,
# middle dots, underscores.
_SEP = r"[ \t\u00a0\u2002-\u200b\u3000\-‐‑‒–—―−－_.．·・•]"
_GAP = _SEP + r"{0,3}"
# The country code: +86, 0086, (+86), （86）, or a bare 86 followed by a separator.
_CC = (r"(?:(?:[+＋]|[0０][0０])\s?[8８][6６]|[(（]\s?[+＋]?[8８][6６]\s?[)）]"
       r"|[8８][6６](?=[ \-－\u3000]))")
# Not inside a longer number: no digit right before or after, nor across a single dash or dot (2026-…).
_NB = r"(?<!\d)(?<!\d[\-－.．])"
_NA = r"(?![\-－.．]?\d)"
# A Chinese mobile number: 1[3-9] and nine more digits, separators anywhere (139 1234 5678, 1391-234-5678 …).
MOBILE_RE = re.compile(rf"{_NB}(?:{_CC}{_GAP})?[1１]{_GAP}[3-9３-９](?:{_GAP}\d){{9}}{_NA}")
# An extension after a landline number: 转 123, 分机123, ext. 12.
_EXT = r"\s?(?:转|分机|ext\.?|EXT\.?)\s?\d{1,5}"
# A landline with its area code (010, 02x, 0xxx): 0571-88886666, (0571) 8888 6666, （0571）88886666,
# +86 571 8888 6666 (the trunk 0 dropped after the country code), with an extension (转 123).
LANDLINE_RE = re.compile(
    rf"{_NB}(?:{_CC}{_GAP}[(（]?\s?[0０]?|[(（]?\s?[0０])(?:[12１２]\d|[3-9３-９]\d\d)\s?[)）]?{_GAP}"
    rf"[2-9２-９](?:{_GAP}\d){{6,7}}(?:{_EXT})?{_NA}")
# An 18-digit ID number, whole or in groups 6-8-4 / 6-4-4-4, last character a digit or X.
ID_RE = re.compile(rf"(?<![\dA-Za-z])\d{{6}}{_GAP}(?:\d{{8}}|\d{{4}}{_GAP}\d{{4}}){_GAP}\d{{3}}[\dXxＸｘ](?![\dA-Za-z])")
# A bank card in groups of four (6222 0212 3456 7890 123).
CARD_RE = re.compile(r"(?<!\d)\d{4}(?:[ \-－]\d{4}){3}(?:[ \-－]?\d{1,4})?(?!\d)")
# A number announced by a word for a phone or an account: a local number without its area code
# (电话：8888 6666), a QQ number, or one written oddly enough to escape the patterns above.
KEYWORD_NUMBER_RE = re.compile(
    rf"((?:电话|手机|座机|固话|联系方式|致电|拨打|热线|[Tt]el|TEL|[Pp]hone|QQ|qq)[号码]{{0,2}}[:：是为\s]{{0,3}})"
    rf"(\d(?:{_GAP}\d){{5,11}}){_NA}")
WECHAT_RE = re.compile(r"((?:微信号?|[Ww]e[Cc]hat)[:：是为\s]{0,3})([A-Za-z][-_A-Za-z0-9]{5,19})")
_EMAIL_CH = r"A-Za-z0-9Ａ-Ｚａ-ｚ０-９"
# Spaces around @, the full-width ＠, full-width letters, and a Chinese full stop for a dot (qq。com).
# It starts only where a run of such characters starts: tried from inside a long run, it would rescan the rest
# of the run from every position (quadratic in the text's length, a way to make every read of a crafted
# complaint slow).
EMAIL_RE = re.compile(rf"(?<![{_EMAIL_CH}._%+\-．＿％＋－])[{_EMAIL_CH}._%+\-．＿％＋－]+\s{{0,2}}[@＠]\s{{0,2}}[{_EMAIL_CH}\-－]+(?:[.．。][{_EMAIL_CH}\-－]+)+")
# Any other long run of digits (numbers glued together, account numbers): a safety net after the above.
# Not an amount (¥…, …元). A code glued to 9+ digits (XK2026120400001) is masked too: a number glued to
# letters may as well be a phone, and a complaint's case number has its own field, shown as it is.
LONG_DIGITS_RE = re.compile(r"(?<![\d¥￥$])\d{9,}[Xx]?(?![\d元万亿%％])")

PH_NAME = "【投诉人】"
PH_CONTACT = "【联系方式已隐去】"
PH_PHONE = "【电话已隐去】"
PH_ID = "【证件号码已隐去】"
PH_EMAIL = "【邮箱已隐去】"
PH_NUMBER = "【号码已隐去】"
PH_ACCOUNT = "【账号已隐去】"

# Street addresses: "人民路88号", "幸福小区3栋2单元501室", "府前街12号院".
ADDRESS_RE = re.compile(
    r"[\u4e00-\u9fa5]{1,10}(路|街|巷|大道|大街|弄)\d+号(院)?"
    r"|[\u4e00-\u9fa5]{2,10}(小区|花园|公寓|家园|新村|苑)[\d\-]*(栋|幢|号楼)?(\d+单元)?(\d+(室|号))?"
    r"|(?<!\d)\d+(栋|幢|号楼)\d*(单元)?\d*(室)?"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_TITLES = "先生|女士|同志|师傅|科长|局长|主任|股长|所长|站长|镇长|乡长|书记|经理|老师|大姐|阿姨"
# A surname with one or two given-name characters before a title ("王科长", "李明同志"), or after a
# self-introduction ("我叫张三", "本人李四", "姓名：王五").
NAME_TITLE_RE = re.compile(rf"([{SURNAMES}])[\u4e00-\u9fa5]{{0,2}}?(?={_TITLES})")
NAME_INTRO_RE = re.compile(rf"(我叫|本人|姓名[:：]?|名叫|投诉人|举报人|工作人员|窗口人员|经办人)\s*([{SURNAMES}])[\u4e00-\u9fa5]{{1,2}}")


# --------------------------------------------------------------------------------------------- a person's own
# Between the characters of a contact copied by hand: separators and brackets ("(0571) 8888-6666").
_IGAP = r"[ \t\u00a0\u2002-\u200b\u3000\-‐‑‒–—―−－_.．·・•()（）]{0,3}"
# Between the characters of a name: spaces and the middle dot of transcribed names (买买提·艾力).
_NAME_GAP = r"[\s·・•.]{0,2}"


def _ch(c: str) -> str:
    """A character and its full-width form (digits, Latin letters, @ and the dot), as a regex class."""
    if "!" <= c <= "~":
        wide = chr(ord(c) + 0xFEE0)
        extra = "。" if c == "." else ""
        return f"[{re.escape(c)}{wide}{extra}]"
    return re.escape(c)


def _digits(value: str) -> str:
    """The digits of a contact as written anywhere (full-width ones too), and a final X of an ID number."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(str(int(ch)))
        elif ch in "Xx" and len(out) == 17:
            out.append("X")
    return "".join(out)


def _contact_pattern(value: str) -> str | None:
    """A regex matching `value` (the complainant's phone, e-mail, ID number or address) in the ways people
    write it. None when it is too short to look for without replacing ordinary words."""
    value = (value or "").strip()
    if "@" in value or "＠" in value:
        local, _sep, domain = value.replace("＠", "@").partition("@")
        if not local or not domain:
            return None
        return "".join(_ch(c) for c in local) + r"\s{0,2}[@＠]\s{0,2}" + "".join(_ch(c) for c in domain)
    digits = _digits(value)
    letters = re.sub(r"[\d\W_]", "", value)
    if len(digits) >= 7 and len(letters) <= 1:  # a phone or an ID number (X)
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        elif len(digits) == 15 and digits.startswith("0086"):
            digits = digits[4:]
        classes = [f"[{d}{chr(ord(d) + 0xFEE0)}]" if d.isdigit() else "[XxＸｘ]" for d in digits]
        if digits.startswith("0"):  # a landline: the trunk 0 is dropped after +86
            classes[0] += "?"
        body = _IGAP.join(classes)
        alts = [rf"(?:{_CC}{_IGAP})?[(（]?{body}"]
        if digits.startswith("0") and len(digits) >= 10:  # its local number alone, without the area code
            local_len = 8 if len(digits) >= 11 else 7
            alts.append(_IGAP.join(classes[-local_len:]))
        return rf"(?<!\d)(?:{'|'.join(alts)})(?:{_EXT})?(?![\dXxＸｘ])"
    compact = re.sub(r"\s+", "", value)
    if len(compact) < 4:
        return None
    return r"\s*".join(re.escape(c) for c in compact)


def _name_pattern(name: str) -> str | None:
    chars = [c for c in (name or "") if not c.isspace() and c not in "·・•."]
    if len(chars) < 2:
        return None
    pattern = _NAME_GAP.join(_ch(c) for c in chars)
    if chars[0].isascii() or chars[-1].isascii():  # a Latin name is a whole word: "Li" is not in "police"
        pattern = rf"(?<![A-Za-zＡ-Ｚａ-ｚ]){pattern}(?![A-Za-zＡ-Ｚａ-ｚ])"
    return pattern


class Redactor:
    """The complainant's own name and contacts, compiled once, and the masking of everything else that looks
    like a phone, ID number or e-mail: `red(text)` is `text` as a reader who is not the complaint's handler
    sees it (see the module docstring). Templates must not call it without an argument, hence the flag."""

    do_not_call_in_templates = True

    def __init__(self, names: list[str] = (), contacts: list[str] = (), *, others: bool = True):
        self.others = others  # False: only the complainant's own name and contacts (the tracking page)
        self.names = [n for n in names if n]
        self.contacts = [c for c in contacts if c]
        name_pats = sorted(filter(None, map(_name_pattern, set(self.names))), key=len, reverse=True)
        contact_pats = sorted(filter(None, map(_contact_pattern, set(self.contacts))), key=len, reverse=True)
        self._names = re.compile("|".join(name_pats), re.IGNORECASE) if name_pats else None
        self._contacts = re.compile("|".join(contact_pats), re.IGNORECASE) if contact_pats else None

    def identity(self, text: str) -> str:
        """Only the complainant's own name and contacts replaced."""
        out = text or ""
        if self._contacts is not None:
            out = self._contacts.sub(PH_CONTACT, out)
        if self._names is not None:
            out = self._names.sub(PH_NAME, out)
        return out

    def __call__(self, text: str) -> str:
        out = self.identity(text)
        return mask_contacts(out) if self.others else out


def mask_contacts(text: str) -> str:
    """Every phone number, ID number, bank card, e-mail address and account the patterns recognise, in any
    written form, replaced by a placeholder; everything else as it was."""
    out = text or ""
    out = EMAIL_RE.sub(PH_EMAIL, out)
    out = ID_RE.sub(PH_ID, out)
    out = MOBILE_RE.sub(PH_PHONE, out)
    out = LANDLINE_RE.sub(PH_PHONE, out)
    out = CARD_RE.sub(PH_NUMBER, out)
    out = KEYWORD_NUMBER_RE.sub(lambda m: m.group(1) + PH_NUMBER, out)
    out = WECHAT_RE.sub(lambda m: m.group(1) + PH_ACCOUNT, out)
    out = LONG_DIGITS_RE.sub(PH_NUMBER, out)
    return out


def scrub_identity(text: str, *, names: list[str] = (), contacts: list[str] = ()) -> str:
    """`text` as anyone but the complaint's handler reads it (departments, other supervisors, leaders, API
    clients): the complainant's own name and contacts in any written form replaced with 【投诉人】 /
    【联系方式已隐去】, and every other phone, ID number, e-mail and account masked (`mask_contacts`)."""
    return Redactor(names, contacts)(text)


def mask_personal_data(text: str, *, names: list[str] = (), contacts: list[str] = ()) -> str:
    """Text for public pages: `scrub_identity`, then every street address and personal name the patterns
    recognise masked too."""
    out = scrub_identity(text, names=names, contacts=contacts)
    out = ADDRESS_RE.sub("***", out)
    out = NAME_INTRO_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}某", out)
    out = NAME_TITLE_RE.sub(lambda m: f"{m.group(1)}某", out)
    return out


# --------------------------------------------------------------------------------------------- secrets in links
# Links whose last segment is a secret: the complaint centre's tracking code, one-time follow-up token and a
# published image's token. (A path, not an import: core knows no app; a new kind of secret link adds its path.)
SECRET_LINK_RE = re.compile(r"(/complaints/(?:track|follow-up|media)/)([^/\s?#]+)")


def mask_links(text: str) -> str:
    """Links with the complainant's secret part (tracking code, follow-up token) hidden, for logs."""
    return SECRET_LINK_RE.sub(lambda m: m.group(1) + "***", text or "")


# --------------------------------------------------------------------------------------------- recipients in logs
def mask_recipient(value: str) -> str:
    """A phone number or e-mail address for a log line or an error: a phone's last four digits only, enough to
    tell test numbers apart and too few to find the person (a complainant's number must not sit in the
    server log); an address's first character and its top-level domain (z***@***.com)."""
    value = str(value or "")
    if "@" in value or "＠" in value:
        local, _sep, domain = value.replace("＠", "@").strip().partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***" + (f".{tld}" if tld else "")
    digits = "".join(str(int(ch)) for ch in value if ch.isdigit())
    return "*" * max(len(digits) - 4, 3) + digits[-4:] if len(digits) > 4 else "***"
