"""One typed settings object, read from the environment (and `.env`); docs/configuration.md lists each."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

KeyList = Annotated[list[str], NoDecode]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def mysql_driver() -> str:
    """The SQLAlchemy driver for MariaDB/MySQL: mysqlclient, a C library, when it is installed
    (`pip install 'chatlytics[mysqlclient]'`, which builds against libmariadb); otherwise PyMySQL,
    pure Python. They give the same answers; the C driver hands over a month's rows two to three
    times faster, which the heaviest figures feel."""
    return "mysql+mysqldb" if find_spec("MySQLdb") is not None else "mysql+pymysql"


class Settings(BaseSettings):
    """Every knob of a chatlytics process; unknown environment variables are ignored."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    db_engine: Literal["mysql", "postgresql"] = Field(default="mysql", alias="DB_ENGINE")
    db_host: str | None = Field(default=None, alias="DB_HOST")
    db_port: int | None = Field(default=None, alias="DB_PORT")
    db_user: str | None = Field(default=None, alias="DB_USER")
    db_password: str | None = Field(default=None, alias="DB_PASSWORD")
    db_name: str = Field(default="chatlytics", alias="DB_NAME")
    sqlite_path: str = Field(default="./chatlytics.db", alias="CHATLYTICS_SQLITE_PATH")

    analytics_enabled: bool = Field(default=True, alias="ANALYTICS_ENABLED")
    event_retention_days: int = Field(default=90, ge=1, alias="EVENT_RETENTION_DAYS")
    batch_processing_size: int = Field(
        default=1000, ge=1, le=100_000, alias="BATCH_PROCESSING_SIZE"
    )
    batch_flush_ms: int = Field(default=50, ge=0, le=10_000, alias="BATCH_FLUSH_MS")
    writer_queue_events: int = Field(default=50_000, ge=100, alias="WRITER_QUEUE_EVENTS")
    session_timeout_minutes: int = Field(default=30, ge=1, alias="SESSION_TIMEOUT_MINUTES")

    write_keys: KeyList = Field(default_factory=list, alias="CHATLYTICS_WRITE_KEY")
    read_keys: KeyList = Field(default_factory=list, alias="CHATLYTICS_READ_KEY")
    admin_keys: KeyList = Field(default_factory=list, alias="CHATLYTICS_ADMIN_KEY")
    key_cache_seconds: float = Field(default=5.0, ge=0, alias="KEY_CACHE_SECONDS")

    legacy_routes: bool = Field(default=False, alias="CHATLYTICS_LEGACY_ROUTES")
    cors_origins: KeyList = Field(default_factory=lambda: ["*"], alias="CORS_ORIGINS")
    retry_after_seconds: int = Field(default=5, ge=1, alias="RETRY_AFTER_SECONDS")

    rate_limit_per_key: str = Field(default="6000/minute", alias="RATE_LIMIT_PER_KEY")
    rate_limit_per_address: str = Field(default="600/minute", alias="RATE_LIMIT_PER_ADDRESS")
    rate_limit_storage: str = Field(default="memory://", alias="RATE_LIMIT_STORAGE")

    client_ip_mode: Literal["truncate", "drop"] = Field(default="truncate", alias="CLIENT_IP_MODE")
    drop_bots: bool = Field(default=True, alias="DROP_BOTS")
    redact_pii: bool = Field(default=True, alias="REDACT_PII")
    phone_region: str = Field(default="US", min_length=2, max_length=2, alias="PHONE_REGION")
    pseudonymize_user_ids: bool = Field(default=False, alias="PSEUDONYMIZE_USER_IDS")
    user_id_secret: str | None = Field(default=None, alias="USER_ID_SECRET")

    roi_cost_per_month: float | None = Field(
        default=None, ge=0, le=1e12, allow_inf_nan=False, alias="ROI_COST_PER_MONTH"
    )
    roi_cost_per_conversation: float | None = Field(
        default=None, ge=0, le=1e12, allow_inf_nan=False, alias="ROI_COST_PER_CONVERSATION"
    )
    roi_lead_value: float | None = Field(
        default=None, ge=0, le=1e12, allow_inf_nan=False, alias="ROI_LEAD_VALUE"
    )
    roi_conversion_value: float | None = Field(
        default=None, ge=0, le=1e12, allow_inf_nan=False, alias="ROI_CONVERSION_VALUE"
    )
    roi_currency: str | None = Field(default=None, min_length=3, max_length=3, alias="ROI_CURRENCY")

    host: str = Field(default="127.0.0.1", alias="CHATLYTICS_HOST")
    port: int = Field(default=8000, alias="CHATLYTICS_PORT")

    _split = field_validator(
        "write_keys", "read_keys", "admin_keys", "cors_origins", mode="before"
    )(_split_csv)

    @model_validator(mode="after")
    def _secret_when_pseudonymizing(self) -> Settings:
        if self.pseudonymize_user_ids and not (
            self.user_id_secret and len(self.user_id_secret) >= 16
        ):
            raise ValueError("PSEUDONYMIZE_USER_IDS needs USER_ID_SECRET of at least 16 characters")
        return self

    @model_validator(mode="after")
    def _one_chat_cost(self) -> Settings:
        if self.roi_cost_per_month is not None and self.roi_cost_per_conversation is not None:
            raise ValueError("set ROI_COST_PER_MONTH or ROI_COST_PER_CONVERSATION, not both")
        return self

    def sqlalchemy_url(self) -> URL:
        """DATABASE_URL wins; then the seed's DB_* variables; otherwise the SQLite file."""
        if self.database_url:
            return make_url(self.database_url)
        if self.db_host:
            if self.db_engine == "postgresql":
                return URL.create(
                    "postgresql+psycopg",
                    username=self.db_user,
                    password=self.db_password,
                    host=self.db_host,
                    port=self.db_port or 5432,
                    database=self.db_name,
                )
            return URL.create(
                mysql_driver(),
                username=self.db_user,
                password=self.db_password,
                host=self.db_host,
                port=self.db_port or 3306,
                database=self.db_name,
                query={"charset": "utf8mb4"},
            )
        return URL.create("sqlite+pysqlite", database=self.sqlite_path)
