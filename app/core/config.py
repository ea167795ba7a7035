"""Settings from environment variables (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = PROJECT_ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{VAR_DIR / 'app.db'}",
        description="SQLAlchemy async URL; postgresql+asyncpg://... in production.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 1_048_576
    # Bulk imports (`POST .../import`) carry whole files: a national indicator file is a few MB.
    max_import_bytes: int = 64 * 1_048_576
    db_pool_size: int = 10
    db_echo: bool = False

    # Tokens issued by the service itself.
    token_issuer: str = "https://skoleutvikling.udir.no"
    token_audience: str = "school-development-api"
    token_ttl_seconds: int = 900
    token_leeway_seconds: int = 30
    # How long a verified token's principal is reused in one process (app/auth/cache.py); 0 turns it off.
    auth_cache_seconds: float = 5.0
    token_algorithm: str = "RS256"
    # Directory of PEM private keys (file name = kid). Generated on first start in the embedded mode.
    signing_keys_dir: Path = VAR_DIR / "keys"
    # Generate a key when the directory is empty (always in the embedded mode).
    generate_signing_key: bool = False
    # kid that signs new tokens; default: the newest key file.
    signing_kid: str | None = None
    # JSON file with external issuers (Maskinporten, ID-porten, Feide style).
    external_issuers_file: Path | None = None
    external_jwks_cache_seconds: int = 3600

    # Webhooks: callbacks must be https unless this allows http (tests and local receivers).
    webhook_allow_http: bool = False
    # Run the delivery worker inside the API process (the embedded mode); otherwise `python -m app webhook-worker`.
    webhook_worker_in_process: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_cap_seconds: float = 3600.0
    webhook_poll_seconds: float = 1.0

    # Requests per minute per API client (0: no limit); REDIS_URL shares the count between processes.
    rate_limit_per_minute: int = 3000
    redis_url: str | None = None

    metrics_public: bool = True
    # Validate every list page written from plain data against its response model too, and fail on any
    # difference (app/core/page_json.py): the tests turn it on.
    check_list_pages: bool = False
    idempotency_ttl_hours: int = 24
    # The JSON of the polled lists' items, kept per worker while their rows are unchanged (app/core/rendered.py);
    # 0 turns it off.
    list_item_cache_mb: float = 8.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded(self) -> bool:
        """The embedded mode: SQLite under var/, keys generated on demand, CLI token minting."""
        return self.is_sqlite


@lru_cache
def get_settings() -> Settings:
    return Settings()
