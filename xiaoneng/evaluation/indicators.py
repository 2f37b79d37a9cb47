"""The named calculations an evaluation scheme may use (考核指标的计算): indicators, deductions, bonuses, vetoes.

Each calculation works in bulk for one period: it receives a `Context` (the period's bounds, the departments
evaluated and how every department rolls up to one of them) and answers per evaluated department id, from a
fixed number of GROUP BY queries whatever the number of departments. A department absent from the answer had
nothing of that kind in the period: the engine does not score it on that indicator (its weight goes to the
others, shown on the page).

- `Indicator.compute(ctx) -> {department_id: Measure}`: numerator, denominator, value (the value is what the
  scheme's curve scores; for rates the share 0..1) and optional flags shown on the line.
- `Adjustment.compute(ctx) -> {department_id: Decimal units}` for deductions and bonuses (points = units ×
  the scheme's points, capped).
- `Veto.compute(ctx) -> {department_id: int count}`; the veto holds when count ≥ the scheme's threshold.
- `evidence(ctx, department) -> list[EvidenceRow]`: what lies behind one department's figure (the drill-down:
  cases, cards, complaints, ratings …), with links to their pages; personal data never included.

Sub-units (sections, villages) roll up into the evaluated department above them (`Context.owner_of`).
Registries: INDICATORS, DEDUCTIONS, BONUSES, VETOES (code → calculation); a scheme naming any other code is
refused (services.schemes.scheme_validate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from xiaoneng.core.periods import Period


@dataclass
class Context:
    """One period's evaluation inputs. `departments`: the evaluated departments (model instances);
    `owner_of`: every department id under them (themselves included) → the evaluated department's id."""

    period: Period
    departments: list
    owner_of: dict[int, int]
    now: dt.datetime
    cache: dict = field(default_factory=dict)  # calculations sharing one query keep its answer here

    @property
    def start(self) -> dt.datetime:
        return self.period.start

    @property
    def end(self) -> dt.datetime:
        return self.period.end

    def roll_up(self, rows, key: str = "department_id") -> dict[int, list[dict]]:
        """Group `rows` (dicts from .values()) by the evaluated department their `key` rolls up to."""
        out: dict[int, list[dict]] = {}
        for r in rows:
            owner = self.owner_of.get(r[key])
            if owner is not None:
                out.setdefault(owner, []).append(r)
        return out


@dataclass(frozen=True)
class Measure:
    """One department's figure: numerator, denominator, value; `flags` (optional, Chinese) travel to the score
    line as they are (failed inspection items, survey groups left out …)."""

    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceRow:
    """One thing behind a figure: its kind (办件, 预警, 投诉 …), a label (number and short description, no personal
    data), the date it counts by, a link to its page (None when the reader's role has no such page), and how it
    counted (按时/超期, 红牌 …)."""

    kind: str
    label: str
    at: dt.datetime | None
    url: str | None
    counted: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str  # the calculation in words, printed beside the figure
    compute: Callable[[Context], dict[int, Measure]]
    evidence: Callable[[Context, object], list[EvidenceRow]] | None = None
    higher_is_better: bool = True
    is_rate: bool = True  # a share of counted things: Wilson interval shown, small samples flagged
    unit: str = "%"  # "%" (value 0..1 shown as a percentage), "倍", "分"
    available: bool = True  # False: no data source yet (disclosure until the portal issue); weight redistributed
    default_floor: Decimal = Decimal("0.6")
    default_target: Decimal = Decimal("1")


@dataclass(frozen=True)
class Adjustment:
    code: str
    name: str
    definition: str
    compute: Callable[[Context], dict[int, Decimal]]
    evidence: Callable[[Context, object], list[EvidenceRow]] | None = None
    unit: str = "项"
    available: bool = True


@dataclass(frozen=True)
class Veto:
    code: str
    name: str
    definition: str
    compute: Callable[[Context], dict[int, int]]
    evidence: Callable[[Context, object], list[EvidenceRow]] | None = None


INDICATORS: dict[str, Indicator] = {}
DEDUCTIONS: dict[str, Adjustment] = {}
BONUSES: dict[str, Adjustment] = {}
VETOES: dict[str, Veto] = {}


def register(thing, registry: dict) -> None:
    if thing.code in registry:
        raise ValueError(f"calculation {thing.code} registered twice")
    registry[thing.code] = thing


def replace(thing, registry: dict) -> None:
    """An app above evaluation supplies the real calculation of a code registered here as a placeholder
    (disclosure's `disclosure` and `disclosure_late`, from DisclosureConfig.ready). Only a known code."""
    if thing.code not in registry:
        raise ValueError(f"calculation {thing.code} is not registered")
    registry[thing.code] = thing


def load() -> None:
    """Import the modules that register calculations (calculations/*.py) once."""
    from . import calculations  # noqa: F401
