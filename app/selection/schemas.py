"""Schemas for schools, indicator values, selection rounds, per-school results and candidates."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.core.inputs import Input
from app.db.types import utcnow
from app.selection.indicator_data import valid_school_year
from app.selection.indicators import INDICATORS
from app.selection.models import Candidate

RoundStatus = Literal["draft", "computed", "under_review", "finalised"]
TieRule = Literal["include_all", "exclude_all"]
IndicatorCode = Literal[tuple(INDICATORS)]  # type: ignore[valid-type]


class Tracked(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    created_at: datetime
    updated_at: datetime
    version: int


class SchoolRead(Tracked):
    id: str = Field(description="The school's organisation number.", examples=["974567890"])
    name: str = Field(examples=["Kvaløysletta skole"])
    school_owner_id: str = Field(examples=["NO-5501"])
    county_id: str | None = Field(examples=["NO-55"])
    municipality_id: str | None = Field(examples=["NO-5501"])
    grade_from: int = Field(examples=[1])
    grade_to: int = Field(examples=[10])
    active: bool = Field(description="False once the school has closed.")


class IndicatorValueRead(Tracked):
    school_id: str = Field(examples=["974567890"])
    indicator: IndicatorCode = Field(examples=["survey_bullying_7"])  # type: ignore[valid-type]
    school_year: str = Field(examples=["2024-2025"])
    value: Decimal | None = Field(description="Null when missing or suppressed.", examples=["3.2"])
    status: Literal["present", "missing", "suppressed"] = Field(
        description="`suppressed`: too few pupils to publish; `missing`: no value. Neither is zero."
    )
    school_owner_id: str = Field(examples=["NO-5501"])
    county_id: str | None = Field(examples=["NO-55"])


class ImportResult(BaseModel):
    rows: int = Field(description="Data rows in the file.", examples=[63000])
    created: int = Field(examples=[62000])
    updated: int = Field(examples=[1000])
    unchanged: int = Field(description="Rows equal to what is stored: importing a file twice changes nothing.")


class RoundParameters(Input):
    """The method of rule 7, stored with the round so that its result can be reproduced and explained."""

    default_worst_percent: float = Field(
        default=25, gt=0, le=100, description="P: a value in the worst P % of all schools' values earns a risk point."
    )
    worst_percent: dict[str, float] = Field(
        default_factory=dict,
        description="P per indicator, where it differs from the default.",
        examples=[{"points_10": 20}],
    )
    top_share_percent: float = Field(
        default=25, gt=0, le=100, description="Schools in this top share of the national ranking make candidates."
    )
    tie_rule: TieRule = Field(
        default="include_all",
        description="Schools tied at the boundary: `include_all` (every one in) or `exclude_all` (none of them).",
    )

    @field_validator("worst_percent")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        for code, p in value.items():
            if code not in INDICATORS:
                raise ValueError(f"unknown indicator {code}")
            if not 0 < p <= 100:
                raise ValueError(f"{code}: a percentage in (0, 100]")
        return value


def _school_years(value: list[str]) -> list[str]:
    for y in value:
        if not valid_school_year(y):
            raise ValueError(f"{y!r} is not a school year like 2023-2024")
    if len(set(value)) != len(value):
        raise ValueError("a school year is named twice")
    return sorted(value)


class RoundCreate(Input):
    programme: str = Field(default="oppfolging", description="Programme code or id.", examples=["oppfolging"])
    year: int = Field(ge=2000, le=2100, description="The year of the round (every second year).", examples=[2026])
    name: str | None = Field(default=None, max_length=300, examples=["Uttrekk 2026"])
    school_years: list[str] = Field(
        min_length=1,
        max_length=10,
        description="School years of data the round uses.",
        examples=[["2023-2024", "2024-2025"]],
    )
    indicators: list[IndicatorCode] | None = Field(  # type: ignore[valid-type]
        default=None, description="Default: every indicator of rule 6.", examples=[["survey_bullying_7", "points_10"]]
    )
    parameters: RoundParameters = Field(default_factory=RoundParameters)

    _years = field_validator("school_years")(_school_years)


class RoundUpdate(Input):
    """Change a draft or computed round (JSON merge patch; `parameters` is replaced whole)."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    school_years: list[str] | None = Field(default=None, min_length=1, max_length=10)
    indicators: list[IndicatorCode] | None = Field(default=None, min_length=1)  # type: ignore[valid-type]
    parameters: RoundParameters | None = None

    @field_validator("school_years")
    @classmethod
    def _years(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _school_years(value)


class RoundRead(Tracked):
    id: uuid.UUID
    programme_id: uuid.UUID
    year: int = Field(examples=[2026])
    name: str = Field(examples=["Uttrekk 2026"])
    school_years: list[str] = Field(examples=[["2023-2024", "2024-2025"]])
    indicators: list[str]
    parameters: dict[str, Any] = Field(
        description="The method as stored: `worst_percent` per indicator, `top_share_percent`, `tie_rule`."
    )
    status: RoundStatus = Field(description="draft -> computed -> under_review -> finalised.")
    summary: dict[str, Any] | None = Field(
        description="The last computation: cut-offs per indicator and school year, the boundary share, counts, "
        "exclusions and `inputs_digest` (equal digests: equal data)."
    )
    computed_at: datetime | None
    finalised_at: datetime | None
    finalised_by: str | None


class RoundSchoolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    school_id: str = Field(examples=["974567890"])
    school_owner_id: str = Field(examples=["NO-5501"])
    municipality_id: str | None = Field(examples=["NO-5501"])
    county_id: str | None = Field(examples=["NO-55"])
    points: int = Field(description="Risk points earned.", examples=[5])
    values_present: int = Field(description="Values present (missing and suppressed do not count).", examples=[12])
    share: Decimal = Field(description="points / values_present.", examples=["0.416667"])
    rank: int = Field(description="National rank by share (equal shares, equal rank).", examples=[42])
    in_top: bool = Field(description="Among the top share of the ranking.")
    details: list[dict[str, Any]] = Field(
        description="Each value that earned a point: indicator, school year, value and the cut-off it met."
    )


class ExplainedSchool(BaseModel):
    school_id: str
    name: str
    rank: int
    share: str
    points: int
    values_present: int
    risk_values: list[dict[str, Any]] = Field(description="indicator, school_year, value, cutoff")


class Explanation(BaseModel):
    schools: list[ExplainedSchool] = Field(description="The municipality's schools in the top share.")
    excluded_because: str | None = Field(
        description="Rule 1: `enrolled` (in the scheme now) or `selected-previous-round`."
    )


class CandidateRead(Tracked):
    round_id: uuid.UUID
    municipality_id: str = Field(examples=["NO-5501"])
    name: str = Field(examples=["Tromsø"])
    school_owner_id: str = Field(examples=["NO-5501"])
    county_id: str | None = Field(examples=["NO-55"])
    top_schools: int = Field(description="How many of its schools are in the top share.")
    best_rank: int = Field(description="The best national rank among them.")
    eligible: bool = Field(description="False when rule 1 excludes it.")
    excluded_reason: str | None = Field(examples=["enrolled"])
    explanation_text: str = Field(description="The explanation in one line (for CSV).")
    explanation: Explanation
    priority_rank: int | None = Field(description="The county governor's priority (1 = first).")
    recommend: bool | None
    justification: str | None
    assessed_by: str | None
    assessed_at: datetime | None
    selected: bool | None = Field(description="Set when the round is finalised.")
    deviation_reason: str | None
    offer_id: uuid.UUID | None

    @classmethod
    def of(cls, c: Candidate) -> CandidateRead:
        explanation = Explanation.model_validate(c.explanation)
        text = "; ".join(
            f"{s.name} (rank {s.rank}, share {s.share}): "
            + ", ".join(f"{v['indicator']} {v['school_year']} {v['value']} vs {v['cutoff']}" for v in s.risk_values)
            for s in explanation.schools
        )
        data = {k: getattr(c, k) for k in cls.model_fields if k not in ("explanation", "explanation_text")}
        return cls(**data, explanation=explanation, explanation_text=text)


class AssessmentIn(Input):
    """The county governor's assessment of a candidate in its region (JSON merge patch, If-Match)."""

    priority_rank: int | None = Field(default=None, ge=1, le=1000, examples=[1])
    recommend: bool | None = Field(default=None, examples=[True])
    justification: str | None = Field(default=None, max_length=10000, examples=["Svake resultater over tid."])


class SelectionIn(Input):
    municipality_id: str = Field(examples=["NO-5501"])
    deviation_reason: str | None = Field(
        default=None, max_length=5000, description="Required where the decision departs from the recommendation."
    )


class FinaliseIn(Input):
    """The final selection: offers (with guidance, rule 8) are created for the selected, in one transaction."""

    selected: list[SelectionIn] = Field(description="The municipalities offered the programme.")
    passed_over: list[SelectionIn] = Field(
        default_factory=list, description="Recommended candidates not selected, each with its reason."
    )
    deadline: AwareDatetime = Field(description="The offers' deadline.", examples=["2027-03-01T23:59:59+01:00"])
    start_year: int | None = Field(default=None, ge=2000, le=2100, description="Default: the round's year.")
    terms: str | None = Field(default=None, max_length=10000)

    @field_validator("deadline")
    @classmethod
    def _future(cls, value: datetime) -> datetime:
        if value <= utcnow():
            raise ValueError("deadline must be in the future")
        return value
