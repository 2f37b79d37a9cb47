"""What several rooms of the services share: who answers for a department, the longest order period, the
role check and the text check every write service applies to its input."""

from __future__ import annotations

from xiaoneng.accounts import roles as R
from xiaoneng.accounts.models import Staff
from xiaoneng.core.errors import DomainError, NotPermitted

DEPARTMENT_ROLES = (R.HANDLER, R.HEAD)
# Also the bound of a rule's automatic order period (rules) and of automatic orders (escalation).
MAX_ORDER_WD = 60


def _require(by: Staff, roles: tuple[str, ...], message: str) -> None:
    if by is None or not by.is_authenticated or not by.has_any_role(*roles):
        raise NotPermitted(message)


def _text(text: str, label: str, *, field_name: str = "text", required: bool = True, max_len: int = 2000) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}。", field=field_name)
    if len(text) > max_len:
        raise DomainError(f"{label}不能超过 {max_len} 字。", field=field_name)
    return text
