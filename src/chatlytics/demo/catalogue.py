"""The tyre shop's catalogue: data in catalogue.json, checked into frozen models once at load.

The bot answers only from this data, so a shop changes its answers by editing the JSON, not code.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DATA = Path(__file__).parent / "catalogue.json"
Category = Literal["summer", "winter", "all-season"]
LabelClass = Literal["A", "B", "C", "D", "E"]
SIZE_PATTERN = r"^\d{3}/\d{2} R\d{2}$"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EuLabel(Frozen):
    """The EU tyre label: rolling resistance, wet braking, and external noise."""

    fuel_efficiency: LabelClass
    wet_grip: LabelClass
    noise_db: int = Field(ge=50, le=90)
    noise_class: Literal["A", "B", "C"]


class Tyre(Frozen):
    """One product: a tyre model with its sizes, the cars it is approved for, price and label."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    brand: str
    model: str
    category: Category
    aliases: tuple[str, ...] = ()
    sizes: tuple[str, ...] = Field(min_length=1)
    fits: tuple[str, ...] = ()
    price: float = Field(gt=0, description="per tyre, in the catalogue's currency")
    load_index: int
    speed_rating: str = Field(pattern=r"^[A-Z]$")
    three_peak_snowflake: bool
    eu_label: EuLabel
    summary: str

    @property
    def name(self) -> str:
        return f"{self.brand} {self.model}"


class Vehicle(Frozen):
    """A car: the words visitors use for it, and its tyre sizes."""

    aliases: tuple[str, ...]
    sizes: tuple[str, ...] = Field(min_length=1)


class Faq(Frozen):
    """A shop question (found by its keywords) and the shop's answer."""

    topic: str
    keywords: tuple[str, ...]
    answer: str


class Catalogue(Frozen):
    """Everything the bot knows: the shop, its tyres, the cars they fit, and its FAQ."""

    shop: str
    currency: str = Field(min_length=3, max_length=3)
    featured: str
    vehicles: dict[str, Vehicle]
    tyres: tuple[Tyre, ...] = Field(min_length=1)
    faq: tuple[Faq, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        # A typo in the data should fail at start-up, not as a wrong answer to a visitor.
        ids = [tyre.id for tyre in self.tyres]
        if len(set(ids)) != len(ids):
            raise ValueError("tyre ids must be unique")
        if self.featured not in ids:
            raise ValueError(f"featured tyre {self.featured!r} is not in the catalogue")
        for tyre in self.tyres:
            for size in (*tyre.sizes, *(s for v in self.vehicles.values() for s in v.sizes)):
                if not _is_size(size):
                    raise ValueError(f"{size!r} is not a size like 205/55 R16")
            for vehicle in tyre.fits:
                known = self.vehicles.get(vehicle)
                if known is None:
                    raise ValueError(f"{tyre.id} fits an unknown vehicle {vehicle!r}")
                if not set(known.sizes) & set(tyre.sizes):
                    raise ValueError(f"{tyre.id} is listed for {vehicle} but has none of its sizes")
        return self

    def tyre(self, tyre_id: str) -> Tyre | None:
        return next((tyre for tyre in self.tyres if tyre.id == tyre_id), None)


def _is_size(size: str) -> bool:
    return re.fullmatch(SIZE_PATTERN, size) is not None


def load_catalogue(path: Path = DATA) -> Catalogue:
    """Read and check a catalogue file."""
    return Catalogue.model_validate_json(path.read_bytes())


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with the demo, read once per process."""
    return load_catalogue()
