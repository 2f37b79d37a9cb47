"""Whistle-blower protection: who may read a complainant's identity, and masking of personal data in text.

Identity (name, phone, e-mail, address, ID number, IP) is readable only by supervision-office staff
(role supervisor) who handle the complaint: its assigned office handler, the staff member who entered it,
or — while it waits for an acceptance decision and nobody is assigned — any supervisor triaging the inbox.
Never by departments, leaders, administrators, API clients or the public.

Text shown to departments is scrubbed of the complainant's own name and contacts; text shown in public
(the mailbox) is additionally masked for any name, phone number, ID number, e-mail and street address the
patterns below recognise. Pattern masking is a safety net: the office still reads a reply before marking
it publishable.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

from xiaoneng.accounts import roles as R

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")
ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])|(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
# Any other long run of digits (numbers glued together, account numbers): a safety net after the above.
LONG_DIGITS_RE = re.compile(r"\d{9,}[\dXx]?")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Street addresses: "人民路88号", "幸福小区3栋2单元501室", "府前街12号院".
ADDRESS_RE = re.compile(
    r"[\u4e00-\u9fa5]{1,10}(路|街|巷|大道|大街|弄)\d+号(院)?"
    r"|[\u4e00-\u9fa5]{2,10}(小区|花园|公寓|家园|新村|苑)[\d\-]*(栋|幢|号楼)?(\d+单元)?(\d+(室|号))?"
    r"|\d+(栋|幢|号楼)\d*(单元)?\d*(室)?"
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


def mask_phone(value: str) -> str:
    value = (value or "").strip()
    if len(value) == 11 and value.isdigit():
        return value[:3] + "****" + value[-4:]
    return value[:3] + "*" * max(len(value) - 5, 1) + value[-2:] if len(value) > 5 else "*" * len(value)


def mask_name(value: str) -> str:
    value = (value or "").strip()
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def contact_key(*, phone: str = "", email: str = "") -> str:
    """A keyed hash of the normalised phone number (or e-mail): equal contacts give equal keys, and the key
    cannot be turned back into the number without the server's secret."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    value = digits or (email or "").strip().lower()
    if not value:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"contact:{value}".encode(), hashlib.sha256).hexdigest()


def scrub_identity(text: str, *, names: list[str] = (), contacts: list[str] = ()) -> str:
    """Replace the complainant's own name and contacts in `text` with 【投诉人】 / masked values (what a
    department sees)."""
    out = text or ""
    for n in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(n, "【投诉人】")
    for c in contacts:
        if c and len(c.strip()) >= 5:
            out = out.replace(c.strip(), "【联系方式已隐去】")
    return out


def mask_personal_data(text: str, *, names: list[str] = (), contacts: list[str] = ()) -> str:
    """Text for public pages: the complainant's identity scrubbed, then every recognised phone number,
    ID number, e-mail, street address and personal name masked."""
    out = scrub_identity(text, names=names, contacts=contacts)
    out = ID_RE.sub(lambda m: (m.group(1) or m.group(4))[:4] + "*" * 10 + (m.group(3) or m.group(6))[-4:], out)
    out = PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", out)
    out = LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", out)
    out = LONG_DIGITS_RE.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], out)
    out = EMAIL_RE.sub("***@***", out)
    out = ADDRESS_RE.sub("***", out)
    out = NAME_INTRO_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}某", out)
    out = NAME_TITLE_RE.sub(lambda m: f"{m.group(1)}某", out)
    return out


def can_read_identity(staff, complaint) -> bool:
    """True when `staff` may read the complainant's identity of `complaint` (see the module docstring)."""
    if staff is None or not getattr(staff, "is_authenticated", False) or not staff.is_active:
        return False
    if not staff.has_role(R.SUPERVISOR):
        return False
    if complaint.office_handler_id == staff.pk or complaint.created_by_id == staff.pk:
        return True
    return complaint.office_handler_id is None


def redactor_for(complaint):
    """A function that removes the complainant's name and contacts from any text about `complaint`: replies,
    notes, notices and results are written by people who know the complainant and may name them. The identity
    is read here by the system to find it in the text, never shown, so it is not an access to record."""
    from .models import ComplainantIdentity

    row = ComplainantIdentity.objects.filter(complaint=complaint).values_list(
        "name", "phone", "email", "address", "id_no").first()
    if row is None:
        return Redactor([], [])
    name, *contacts = row
    phones = [contacts[0], " ".join((contacts[0][:3], contacts[0][3:7], contacts[0][7:]))] if contacts[0] else []
    return Redactor([name], [*phones, *contacts[1:]])


class Redactor:
    """Callable text scrubber; templates must not call it without an argument, hence the flag."""

    do_not_call_in_templates = True

    def __init__(self, names: list[str], contacts: list[str]):
        self.names, self.contacts = names, contacts

    def __call__(self, text: str) -> str:
        return scrub_identity(text or "", names=self.names, contacts=self.contacts)
