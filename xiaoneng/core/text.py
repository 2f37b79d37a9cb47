"""Small helpers for the Chinese sentences the platform writes into messages and documents."""

from __future__ import annotations

_END = "。！？!?…；"


def sentence(text: str) -> str:
    """`text` as one sentence: stripped and ending with exactly one full stop. Message bodies join parts that
    may already end with their own stop (an order's instructions, an escalation's reason); joining them with
    another gave "系统自动升级。。"."""
    text = (text or "").strip()
    while text.endswith("。。"):
        text = text[:-1]
    return text if not text or text.endswith(tuple(_END)) else text + "。"
