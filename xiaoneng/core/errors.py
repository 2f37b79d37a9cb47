"""Errors that services raise when a request cannot be carried out.

Views and API endpoints turn them into a readable 400 (or 403/404): a client's mistake is never a 500.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. `field` names the input at fault; `row` the line of an imported file."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row
        self.code = code

    def as_dict(self) -> dict:
        data = {"error": self.message, "code": self.code}
        if self.field:
            data["field"] = self.field
        if self.row is not None:
            data["row"] = self.row
        return data


class NotPermitted(DomainError):
    """The actor may not do this (role or department scope)."""

    status = 403

    def __init__(self, message: str = "您没有权限执行此操作。", **kw):
        super().__init__(message, code="forbidden", **kw)


class NotFound(DomainError):
    """The object does not exist, or is outside what the actor may see (we do not tell which)."""

    status = 404

    def __init__(self, message: str = "未找到该记录。", **kw):
        super().__init__(message, code="not_found", **kw)


class Conflict(DomainError):
    """The request repeats something already done that may be done only once (a second rating of one case):
    409, naming what is already there."""

    status = 409


class RowErrors(DomainError):
    """Several rows of an imported file are bad; nothing was imported."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        first = errors[0] if errors else {}
        summary = f"导入失败：共 {len(errors)} 行有错误，未导入任何数据。"
        if first:
            summary += f" 第 {first.get('row')} 行：{first.get('error')}"
        super().__init__(summary, code="rows_invalid")

    def as_dict(self) -> dict:
        return {"error": self.message, "code": self.code, "errors": self.errors}
