"""Reference data as the API shows it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.core.inputs import Input
from app.reference.models import County, Municipality, Organisation, name_at

OrgKind = Literal[
    "directorate",
    "county_governor",
    "regional_body",
    "municipality",
    "county_municipality",
    "private_school_owner",
    "university",
    "third_party",
]


class NameRead(BaseModel):
    name: str = Field(examples=["Lyngen - Ivgu - Yykeä"])
    valid_from: date = Field(examples=["2026-01-01"])


class CountyRead(BaseModel):
    id: str = Field(examples=["NO-55"])
    country: str = Field(examples=["NO"])
    number: str = Field(examples=["55"])
    name: str = Field(description="The official name valid today.", examples=["Troms - Romsa - Tromssa"])
    short_name: str | None = Field(default=None, description="The Norwegian form alone.", examples=["Troms"])
    names: list[NameRead] = Field(description="Every official name with the date it took effect.")
    valid_to: date | None = Field(default=None, description="Set when the county was merged or split.")
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, c: County) -> CountyRead:
        today = date.today()
        current = max((n for n in c.names if n.valid_from <= today), key=lambda n: n.valid_from, default=c.names[0])
        return cls(
            id=c.id,
            country=c.country,
            number=c.number,
            name=current.name,
            short_name=current.short_name,
            names=[NameRead(name=n.name, valid_from=n.valid_from) for n in c.names],
            valid_to=c.valid_to,
            created_at=c.created_at,
            updated_at=c.updated_at,
            version=c.version,
        )


class CountyRef(BaseModel):
    id: str = Field(examples=["NO-55"])
    name: str = Field(examples=["Troms - Romsa - Tromssa"])


class MunicipalityRead(BaseModel):
    id: str = Field(examples=["NO-5501"])
    country: str = Field(examples=["NO"])
    number: str = Field(examples=["5501"])
    name: str = Field(description="The official name valid today.", examples=["Tromsø"])
    names: list[NameRead] = Field(description="Every official name with the date it took effect.")
    county_id: str = Field(examples=["NO-55"])
    valid_to: date | None = Field(default=None, description="Set when the municipality was merged or split.")
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def data_of(cls, m: Municipality) -> dict[str, Any]:
        """The fields as plain data, every one of them: a list writes its page of these (app/core/page_json.py)."""
        return {
            "id": m.id,
            "country": m.country,
            "number": m.number,
            "name": name_at(m.names, date.today()),
            "names": [{"name": n.name, "valid_from": n.valid_from} for n in m.names],
            "county_id": m.county_id,
            "valid_to": m.valid_to,
            "created_at": m.created_at,
            "updated_at": m.updated_at,
            "version": m.version,
        }

    @classmethod
    def of(cls, m: Municipality) -> MunicipalityRead:
        return cls.model_validate(cls.data_of(m))


class OrganisationRead(BaseModel):
    id: str = Field(
        description="Organisation number where there is one, the municipality id for a municipality, else a UUID.",
        examples=["974760665"],
    )
    kind: OrgKind
    name: str = Field(examples=["Statsforvalteren i Vestland"])
    short_name: str | None = Field(default=None, examples=["HVL"])
    orgnr: str | None = Field(default=None, examples=["974760665"])
    country: str = Field(examples=["NO"])
    municipality_id: str | None = Field(default=None, examples=["NO-4601"])
    county_id: str | None = Field(default=None, examples=["NO-46"])
    dbh_code: str | None = Field(default=None, description="DBH institution code (universities).", examples=["0252"])
    commercial: bool = Field(default=False, description="A commercial actor (never a recipient of funds).")
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, o: Organisation) -> OrganisationRead:
        return cls.model_validate(o, from_attributes=True)


class CountyGovernorRead(BaseModel):
    id: str = Field(examples=["974760665"])
    kind: Literal["county_governor", "regional_body"]
    name: str = Field(examples=["Statsforvalteren i Vestland"])
    orgnr: str | None = Field(default=None, examples=["974760665"])
    country: str = Field(examples=["NO"])
    counties: list[CountyRef] = Field(description="The counties the office covers: its region.")
    county_ids: list[str] = Field(examples=[["NO-46"]])
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, o: Organisation) -> CountyGovernorRead:
        today = date.today()
        return cls(
            id=o.id,
            kind=o.kind,
            name=o.name,
            orgnr=o.orgnr,
            country=o.country,  # type: ignore[arg-type]
            counties=[CountyRef(id=c.id, name=c.name_at(today)) for c in o.covered_counties],
            county_ids=[c.id for c in o.covered_counties],
            created_at=o.created_at,
            updated_at=o.updated_at,
            version=o.version,
        )


AddableKind = Literal["county_municipality", "private_school_owner", "university", "third_party"]


class OrganisationCreate(Input):
    """An organisation the reference files lack: county municipality, private school owner, university, third party."""

    kind: AddableKind = Field(examples=["private_school_owner"])
    name: str = Field(min_length=1, max_length=300, examples=["Steinerskolen i Tromsø"])
    short_name: str | None = Field(default=None, max_length=50, examples=["NMBU"])
    orgnr: str | None = Field(
        default=None,
        pattern=r"^\d{9}$",
        description="Norwegian organisation number (MOD11-checked); becomes the id.",
        examples=["971040238"],
    )
    country: Literal["NO", "SE"] = "NO"
    municipality_id: str | None = Field(
        default=None, description="Where it is (NO-5501 or 5501).", examples=["NO-5501"]
    )
    county_id: str | None = Field(default=None, description="Its county (NO-55 or 55); implied by municipality_id.")
    dbh_code: str | None = Field(default=None, max_length=10)
    commercial: bool = Field(default=False, description="A commercial actor: never receives funds (rule 16).")


class OrganisationUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    short_name: str | None = Field(default=None, max_length=50)
    orgnr: str | None = Field(
        default=None, pattern=r"^\d{9}$", description="Register the organisation number (e.g. a municipality's)."
    )
    municipality_id: str | None = None
    county_id: str | None = None
    commercial: bool | None = None
    active: bool | None = None
