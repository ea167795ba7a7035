"""Norwegian organisation numbers (Enhetsregisteret): nine digits with a MOD11 check digit."""

from __future__ import annotations

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(digits: str) -> int:
    """MOD11 over the first eight digits; 10 means no valid number has these eight digits."""
    remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


def valid_orgnr(orgnr: str) -> bool:
    if len(orgnr) != 9 or not orgnr.isdigit():
        return False
    check = check_digit(orgnr[:8])
    return check != 10 and check == int(orgnr[8])


def orgnr_from(seed: int, base: int = 90_000_000) -> str:
    """A valid organisation number made from `seed`, different for every seed (for test and benchmark data)."""
    for prefix in range(base + seed * 4, base + seed * 4 + 4):
        digits = f"{prefix:08d}"
        check = check_digit(digits)
        if check != 10:
            return digits + str(check)
    raise ValueError(f"no organisation number for seed {seed}")
