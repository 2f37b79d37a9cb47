"""Where the SMS backends lived until issue 11: they are in `xiaoneng.core.sms` now, beside the resolver.

Kept as an alias because a deployment's environment may still name `xiaoneng.supervision.sms.<Backend>` in
XIAONENG_SMS_BACKEND (docs/operations.md documented it as the default): the same classes and the same
Locmem `outbox` list, so nothing configured that way breaks. New code and settings use `xiaoneng.core.sms`."""

from xiaoneng.core.sms import ConsoleBackend, FileBackend, LocmemBackend, mask_recipient, outbox  # noqa: F401
