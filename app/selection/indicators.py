"""The indicators of seed 004 (rule 6): which way is worse, and the range a valid value lies in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    higher_is_worse: bool
    low: Decimal
    high: Decimal


def _survey(topic: str, name: str, grade: int, higher_is_worse: bool) -> Indicator:
    # Pupil survey (Elevundersøkelsen): an index on the scale 1-5.
    return Indicator(f"survey_{topic}_{grade}", f"{name}, grade {grade}", higher_is_worse, Decimal(1), Decimal(5))


def _mastery(subject: str, name: str, grade: int) -> Indicator:
    # National tests: the share (per cent) of pupils at mastery level 1, the lowest.
    return Indicator(
        f"nt_{subject}_level1_{grade}",
        f"{name}, grade {grade}: share at mastery level 1 (%)",
        True,
        Decimal(0),
        Decimal(100),
    )


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        *(_survey("bullying", "Pupil survey: bullying", g, True) for g in (7, 10)),
        *(_survey("support", "Pupil survey: support from teacher", g, False) for g in (7, 10)),
        *(_survey("motivation", "Pupil survey: motivation", g, False) for g in (7, 10)),
        *(_mastery("reading", "National test in reading", g) for g in (5, 8)),
        *(_mastery("numeracy", "National test in numeracy", g) for g in (5, 8)),
        Indicator("points_10", "Lower-secondary points after grade 10", False, Decimal(0), Decimal(60)),
    )
}
