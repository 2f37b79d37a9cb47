"""How the complaint-text masker scales with the text's length (issue 9: every read of a complaint masks its
text, so a crafted text must not make it slow).

For each shape of text (ordinary Chinese, long runs of letters, digits, separators, e-mail-like and
random characters) it masks 500 and 5000 characters and prints the ratio of the two times measured in the
same run: about 10 is linear; about 100 would be quadratic, a way for anyone who can submit a complaint to
make every page and API answer that shows it slow.

    .venv/bin/python bench/mask_text.py
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from xiaoneng.complaints.privacy import Redactor, mask_personal_data

    red = Redactor(["张晓明"], ["13912345678", "zhang@example.com", "0571-88886666", "330102199001011234",
                                "清源县人民路88号"])
    rng = random.Random(9)
    shapes = {
        "ordinary": lambda n: ("2月26日我到县政务服务中心12号窗口办理食品经营许可，电话139 1234 5678。" * n)[:n],
        "letters": lambda n: "a" * n, "digits": lambda n: "1" * n, "full-width digits": lambda n: "１" * n,
        "digit-dash": lambda n: "1-" * (n // 2), "letter-dot": lambda n: "a." * (n // 2),
        "at-signs": lambda n: "a@" * (n // 2), "brackets": lambda n: "(0" * (n // 2),
        "random": lambda n: "".join(rng.choice("a1-. @＠（(0８6电话我X") for _ in range(n)),
    }

    def timed(text: str) -> float:
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            mask_personal_data(text)
            red(text)
            best = min(best, time.perf_counter() - t)
        return best

    print(f"{'shape':<20}{'500 chars':>12}{'5000 chars':>12}{'ratio':>8}")
    for name, make in shapes.items():
        small, large = timed(make(500)), timed(make(5000))
        print(f"{name:<20}{small * 1000:>10.2f}ms{large * 1000:>10.2f}ms{large / small:>8.1f}")


if __name__ == "__main__":
    main()
