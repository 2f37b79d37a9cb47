"""core.text.sentence: one full stop at the end, whatever the parts brought."""

import pytest

from xiaoneng.core.text import sentence


@pytest.mark.parametrize(("given", "expected"), [
    ("系统自动升级", "系统自动升级。"),
    ("系统自动升级。", "系统自动升级。"),
    ("系统自动升级。。", "系统自动升级。"),
    ("  请纠正！ ", "请纠正！"),
    ("是否已纠正？", "是否已纠正？"),
    ("", ""),
])
def test_sentence(given, expected):
    assert sentence(given) == expected
