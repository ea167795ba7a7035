"""Norwegian organisation numbers (Enhetsregisteret): nine digits with a MOD11 check digit."""

from __future__ import annotations

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def valid_orgnr(orgnr: str) -> bool:
    if len(orgnr) != 9 or not orgnr.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(orgnr[:8], WEIGHTS, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(orgnr[8])


def orgnr_from(seed: int, base: int = 90_000_000) -> str:
    """A valid organisation number made from `seed`, different for every seed (for test and benchmark data)."""
    for prefix in range(base + seed * 4, base + seed * 4 + 4):
        digits = f"{prefix:08d}"
        remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check != 10:
            return digits + str(check)
    raise ValueError(f"no organisation number for seed {seed}")
