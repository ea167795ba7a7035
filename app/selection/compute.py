"""Rule 7 (seed 004, the method ours): risk points, share of risk points, national ranking, candidates.

Pure functions over plain values, so that the method can be read, tested and benchmarked on its own.

- Per indicator and school year, a value earns a risk point when it is among the worst P % of all
  schools' values (P per indicator, default 25): the cut-off is the value of the ceil(n * P / 100)-th
  worst, and every value as bad as the cut-off or worse earns the point (ties at the cut-off all in).
  "Worse" is higher for bullying and mastery-level-1 shares, lower for support, motivation and points.
- Missing and suppressed values count in neither numerator nor denominator: share = points / values present.
- Schools are ranked by share (highest first; equal shares share a rank). The top `top_share_percent`
  of ranked schools are those with a share at least that of the ceil(n * top / 100)-th school: with the
  tie rule `include_all` every school tied at the boundary is in, with `exclude_all` a tie that would
  overfill the top is left out. A school with no risk point is never in the top.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.selection.indicators import INDICATORS


class Value(NamedTuple):
    school_id: str
    indicator: str
    school_year: str
    value: float


@dataclass
class SchoolResult:
    school_id: str
    points: int = 0
    values_present: int = 0
    rank: int = 0
    in_top: bool = False
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.points / self.values_present if self.values_present else 0.0


@dataclass
class Result:
    schools: list[SchoolResult]  # ranked: by share descending, then school id
    cutoffs: dict[str, dict[str, dict[str, Any]]]  # indicator -> school year -> {"cutoff", "values", "worst_percent"}
    boundary_share: float | None
    top_count: int
    digest: str


def cutoff(values: list[float], percent: float, higher_is_worse: bool) -> float:
    """The value of the ceil(n * percent / 100)-th worst value (at least the single worst)."""
    ordered = sorted(values, reverse=higher_is_worse)
    k = max(1, math.ceil(len(ordered) * percent / 100))
    return ordered[min(k, len(ordered)) - 1]


def compute(
    values: Iterable[Value], *, worst_percent: dict[str, float], top_share_percent: float, tie_rule: str
) -> Result:
    groups: dict[tuple[str, str], list[Value]] = defaultdict(list)
    digest = hashlib.sha256()
    for v in sorted(values, key=lambda v: (v.indicator, v.school_year, v.school_id)):
        groups[(v.indicator, v.school_year)].append(v)
        digest.update(f"{v.school_id}|{v.indicator}|{v.school_year}|{v.value!r}\n".encode())

    schools: dict[str, SchoolResult] = {}
    cutoffs: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (code, year), group in groups.items():
        indicator = INDICATORS[code]
        percent = worst_percent[code]
        cut = cutoff([v.value for v in group], percent, indicator.higher_is_worse)
        cutoffs[code][year] = {"cutoff": cut, "values": len(group), "worst_percent": percent}
        for v in group:
            point = v.value >= cut if indicator.higher_is_worse else v.value <= cut
            school = schools.setdefault(v.school_id, SchoolResult(v.school_id))
            school.values_present += 1
            if point:
                school.points += 1
                school.details.append({"indicator": code, "school_year": year, "value": v.value, "cutoff": cut})

    ranked = sorted(schools.values(), key=lambda s: (-s.share, s.school_id))
    previous: float | None = None
    for position, school in enumerate(ranked, start=1):
        if school.share != previous:
            rank, previous = position, school.share
        school.rank = rank

    boundary: float | None = None
    if ranked:
        k = max(1, math.ceil(len(ranked) * top_share_percent / 100))
        boundary = ranked[k - 1].share
        at_or_above = sum(1 for s in ranked if s.share >= boundary)
        strict = tie_rule == "exclude_all" and at_or_above > k
        for school in ranked:
            above = school.share > boundary if strict else school.share >= boundary
            school.in_top = above and school.points > 0
    return Result(
        schools=ranked,
        cutoffs=dict(cutoffs),
        boundary_share=boundary,
        top_count=sum(1 for s in ranked if s.in_top),
        digest=digest.hexdigest(),
    )
