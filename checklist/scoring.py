"""The one function that turns assessments into scores and a grade.

Rules (DESIGN.md, "Scoring rules"):
- Category and total scores are the points awarded as a percentage of the maximum of the
  standards scored 符合, 基本符合 or 不符合, with one decimal, half rounded up. 不适用 leaves a
  standard out of every total; a standard not yet scored is not counted either, so during
  scoring the total is the score so far and it becomes final when every standard is scored.
- No scored standard (nothing scored yet, or everything 不适用): no score and no grade.
- Grade by the cycle's bands (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60 by default), except that 不符合 on
  a veto item (一票否决) makes the grade 不合格 whatever the total.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from agencies.models import Grade

from .models import Result

SCORING_RESULTS = (Result.COMPLIANT, Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT)


@dataclass(frozen=True)
class Item:
    """One applicable standard and its assessment (result "" when not yet assessed)."""

    category: int
    max_points: Decimal
    result: str = ""
    points: Decimal | None = None
    is_veto: bool = False

    @property
    def counts(self) -> bool:
        return self.result in SCORING_RESULTS and self.points is not None

    @property
    def is_scored(self) -> bool:
        return self.result == Result.NOT_APPLICABLE or self.counts


@dataclass(frozen=True)
class Bands:
    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    passing: Decimal = Decimal(60)

    @classmethod
    def of(cls, cycle) -> "Bands":
        return cls(cycle.grade_excellent_min, cycle.grade_good_min, cycle.grade_pass_min)


@dataclass(frozen=True)
class CategoryScore:
    category: int
    awarded: Decimal
    maximum: Decimal
    score: Decimal | None
    scored: int
    applicable: int


@dataclass(frozen=True)
class Scores:
    total: Decimal | None
    grade: str
    categories: dict[int, CategoryScore] = field(default_factory=dict)
    scored: int = 0
    applicable: int = 0
    vetoed: bool = False

    @property
    def complete(self) -> bool:
        return self.scored == self.applicable


def percentage(awarded: Decimal, maximum: Decimal) -> Decimal | None:
    """awarded / maximum as a percentage with one decimal, half rounded up; exact."""
    if maximum <= 0:
        return None
    tenths = Fraction(awarded) * 1000 / Fraction(maximum)
    rounded = (tenths + Fraction(1, 2)).__floor__()
    return (Decimal(rounded) / 10).quantize(Decimal("0.1"))


def grade_for(total: Decimal | None, bands: Bands, *, vetoed: bool = False) -> str:
    if vetoed:
        return Grade.FAIL
    if total is None:
        return ""
    if total >= bands.excellent:
        return Grade.EXCELLENT
    if total >= bands.good:
        return Grade.GOOD
    if total >= bands.passing:
        return Grade.PASS
    return Grade.FAIL


def compute_scores(items: Iterable[Item], bands: Bands = Bands()) -> Scores:
    items = list(items)
    awarded: dict[int, Decimal] = {}
    maximum: dict[int, Decimal] = {}
    scored: dict[int, int] = {}
    applicable: dict[int, int] = {}
    for item in items:
        category = item.category
        awarded.setdefault(category, Decimal(0))
        maximum.setdefault(category, Decimal(0))
        applicable[category] = applicable.get(category, 0) + 1
        scored[category] = scored.get(category, 0) + int(item.is_scored)
        if item.counts:
            awarded[category] += item.points
            maximum[category] += item.max_points
    categories = {
        category: CategoryScore(
            category=category,
            awarded=awarded[category],
            maximum=maximum[category],
            score=percentage(awarded[category], maximum[category]),
            scored=scored[category],
            applicable=applicable[category],
        )
        for category in sorted(awarded)
    }
    total = percentage(sum(awarded.values(), Decimal(0)), sum(maximum.values(), Decimal(0)))
    vetoed = any(item.is_veto and item.result == Result.NON_COMPLIANT for item in items)
    return Scores(
        total=total,
        grade=grade_for(total, bands, vetoed=vetoed),
        categories=categories,
        scored=sum(scored.values()),
        applicable=len(items),
        vetoed=vetoed,
    )
