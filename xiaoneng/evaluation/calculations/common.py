"""Small helpers the calculation modules share: the departments under an evaluated one, summing rolled-up rows,
exact shares, and links to the pages of the apps below (or none when a page does not exist)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.urls import NoReverseMatch, reverse

from ..indicators import Context, Measure

FOUR = Decimal("0.0001")


def ids_under(ctx: Context, department) -> list[int]:
    """The ids of every department that rolls up to `department` (itself included)."""
    return [d for d, owner in ctx.owner_of.items() if owner == department.pk]


def summed(ctx: Context, rows, keys: tuple[str, ...], key: str = "department_id") -> dict[int, dict]:
    """Rows of a GROUP BY (dicts) rolled up to the evaluated departments, `keys` summed."""
    return {owner: {k: sum((r[k] or 0) for r in items) for k in keys}
            for owner, items in ctx.roll_up(rows, key).items()}


def share(numerator, denominator) -> Measure | None:
    """A rate: numerator ÷ denominator (None when nothing was counted)."""
    if not denominator:
        return None
    n, d = Decimal(numerator), Decimal(denominator)
    return Measure(n, d, n / d)


def shares(counts: dict[int, dict], num, den: str) -> dict[int, Measure]:
    """Per department, a rate of its rolled-up counts: `num` (a key, or a function of the counts) ÷ `den`;
    departments with nothing counted are left out (not scored on that indicator)."""
    out = {}
    for dept, c in counts.items():
        m = share(num(c) if callable(num) else c[num], c[den])
        if m is not None:
            out[dept] = m
    return out


def q4(x: Decimal) -> Decimal:
    return x.quantize(FOUR, rounding=ROUND_HALF_UP)


def url(name: str, *args) -> str | None:
    """The staff page of a thing, or None when that page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
