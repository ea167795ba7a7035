"""Money: exact decimals with two places end to end; a float never touches an amount."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BeforeValidator, Field

MONEY_COLUMN = sa.Numeric(16, 2)


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('amounts are decimal strings ("1250000.00") or integers, never floating-point numbers')
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(gt=0, max_digits=16, decimal_places=2, examples=["2500000.00"], description="Exact amount, two decimals."),
]
MoneyOrZero = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, max_digits=16, decimal_places=2, examples=["0.00"], description="Exact amount, two decimals."),
]
