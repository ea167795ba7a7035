"""Norwegian organisation numbers (Enhetsregisteret): nine digits with a MOD11 check digit."""

from __future__ import annotations

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def valid_orgnr(orgnr: str) -> bool:
    if len(orgnr) != 9 or not orgnr.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(orgnr[:8], WEIGHTS, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(orgnr[8])
