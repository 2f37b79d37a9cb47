"""Whistle-blower protection: who may read a complainant's identity and the original text of a complaint, and
masking of personal data in text.

Identity (name, phone, e-mail, address, ID number, IP) is readable only by supervision-office staff
(role supervisor) who handle the complaint: its assigned office handler, the staff member who entered it,
or — while it waits for an acceptance decision and nobody is assigned — any supervisor triaging the inbox.
Never by departments, leaders, administrators, API clients or the public. Every read is recorded
(`IdentityAccess`).

The complaint's own text (facts, request and whatever else the complainant wrote) names the complainant
more often than not. It is shown as written only to the complaint's office handler (`reads_original`), each
view recorded like an identity read; every other reader — another supervisor, the departments, leaders,
administrators, API clients — reads it through `scrub_identity`. A supervisor who is not the handler may
reveal the original with a stated reason ("查看原文"), recorded the same way.

Three levels of masking, each the one before plus more (the maskers live in `xiaoneng/core/masking.py`,
since the SMS backends and the outbox use them too, and are re-exported here):
- `scrub_identity` (everyone but the handler): the complainant's own name, phone, e-mail, address and ID number
  in any written form (spaces, dashes, dots, brackets, +86, full-width digits and ＠) replaced, then every
  other mobile or landline number, 18-digit ID number, bank card, e-mail address, QQ/WeChat account and long
  run of digits masked. Nothing else: dates (2026-12-05), amounts (1,200元), times, case numbers
  (QY-SWU-20261204-0010), complaint numbers (TS2026-000123), window numbers and the names of the staff
  complained about stay, because the department needs them to investigate.
- `mask_personal_data` (public pages: the mailbox, Open311): also every street address and personal name the
  patterns recognise.
Masks replace the whole number with a placeholder rather than keeping its first and last digits
("139****5678"): a department holds its applicants' phone numbers in its case records, and seven known digits
would pick the complainant out of them. Pattern masking is a safety net: the office still reads a reply before
marking it publishable.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

from xiaoneng.accounts import roles as R

# The patterns and maskers live in core (the SMS backends and the outbox mask their log lines and send errors
# with them, and core imports no app); re-exported here, where complaint code has always found them.
from xiaoneng.core.masking import (  # noqa: F401
    ADDRESS_RE,
    CARD_RE,
    EMAIL_RE,
    ID_RE,
    KEYWORD_NUMBER_RE,
    LANDLINE_RE,
    LONG_DIGITS_RE,
    MOBILE_RE,
    NAME_INTRO_RE,
    NAME_TITLE_RE,
    PH_ACCOUNT,
    PH_CONTACT,
    PH_EMAIL,
    PH_ID,
    PH_NAME,
    PH_NUMBER,
    PH_PHONE,
    SECRET_LINK_RE,
    SURNAMES,
    WECHAT_RE,
    Redactor,
    mask_contacts,
    mask_links,
    mask_personal_data,
    scrub_identity,
)


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


# A reply's salutation to the complainant by name ("张晓明您好", "尊敬的张晓明先生：") masked for the public
# mailbox reads "【投诉人】您好": the mailbox greets neutrally instead (issue 10 §4). Only at the very start.
SALUTATION_RE = re.compile(
    r"^\s*(?:尊敬的)?\s*" + re.escape(PH_NAME) + r"\s*(?:先生|女士|同志)?\s*[，,：:]?\s*(?:您好)?\s*([：:，,！!。]?)\s*")


def neutral_salutation(text: str) -> str:
    """A masked reply that opens by greeting the masked complainant opens with a plain "您好" instead."""
    def greet(m: re.Match) -> str:
        if m.group(0).strip() == PH_NAME:  # "【投诉人】反映的问题……": the name as a subject, not a greeting
            return m.group(0)
        return "您好" + (m.group(1) or "：")

    return SALUTATION_RE.sub(greet, text or "", count=1)


def public_reply_text(text: str, *, names=(), contacts=()) -> str:
    """The text of a reply as the public mailbox shows it: personal data masked, greeting neutrally. The one
    recipe for the office's publishing (services.complaint_set_publishable) and the demo's published replies."""
    return neutral_salutation(mask_personal_data(text, names=list(names), contacts=list(contacts)))


# --------------------------------------------------------------------------------------------- who reads what
def can_read_identity(staff, complaint) -> bool:
    """True when `staff` may read the complainant's identity of `complaint` (see the module docstring)."""
    if staff is None or not getattr(staff, "is_authenticated", False) or not staff.is_active:
        return False
    if not staff.has_role(R.SUPERVISOR):
        return False
    if complaint.office_handler_id == staff.pk or complaint.created_by_id == staff.pk:
        return True
    return complaint.office_handler_id is None


def reads_original(staff, complaint) -> bool:
    """True when `staff` reads the complaint's text as the complainant wrote it without asking: only its
    office handler (the supervisor who accepted it, or whom the office assigned). While nobody is assigned
    the text is masked for everyone; a supervisor who needs the original asks for it with a reason
    (`may_reveal_original`)."""
    return bool(staff is not None and getattr(staff, "is_authenticated", False) and staff.is_active
                and complaint.office_handler_id is not None and complaint.office_handler_id == staff.pk
                and staff.has_role(R.SUPERVISOR))


def may_reveal_original(staff) -> bool:
    """Any active supervisor may ask for a complaint's original text, giving a reason that is recorded."""
    return bool(staff is not None and getattr(staff, "is_authenticated", False) and staff.is_active
                and staff.has_role(R.SUPERVISOR))


def redactor_for(complaint, *, others: bool = True) -> Redactor:
    """The masker of any text about `complaint` for a reader who is not its handler: the complaint's text,
    replies, notes, notices and results are written by people who know the complainant and may name them. The
    identity is read here by the system to find it in the text, never shown, so it is not an access to
    record. `others=False` for the complainant's own tracking page: there only their identity is hidden (in
    case the code went astray), and the numbers the office wrote for them (its own phone) stay."""
    return redactors_for([complaint], others=others).get(complaint.pk) or Redactor(others=others)


def redactors_for(complaints, *, others: bool = True) -> dict[int, Redactor]:
    """`redactor_for` of many complaints with one query (the API's lists)."""
    from .models import ComplainantIdentity

    ids = [c.pk for c in complaints]
    rows = ComplainantIdentity.objects.filter(complaint_id__in=ids).values_list(
        "complaint_id", "name", "phone", "email", "address", "id_no")
    return {pk: Redactor([name], contacts, others=others) for pk, name, *contacts in rows}
