"""What the demo importers buy, from where, and who declares it.

Shares, masses and intensity spreads below are illustrative choices for a plausible demo, not trade
statistics. The default values that actual emissions are drawn around come from the curated extract of
the Commission's table (``demo/reference``, Implementing Regulation (EU) 2025/2621).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from greenlang.cbam.contracts import CBAMDefaultValue

REFERENCE_DIR = Path(__file__).parent / "reference"
DEFAULT_VALUES_FILE = REFERENCE_DIR / "cbam_default_values_definitive_IR2025-2621_v20260204_demo.csv"
GOODS_FILE = REFERENCE_DIR / "cbam_cn_codes_from_default_values_2026_demo.csv"

# Sector names as the default-value table spells them.
SECTORS = ("Iron and steel", "Aluminium", "Cement", "Fertilisers", "Hydrogen")
# The table's row for countries without values of their own (the name is cut at 31 characters there).
OTHER_COUNTRIES = "_Other Countries and Territorie"


@dataclass(frozen=True)
class Product:
    """An 8-digit CN code as declared, and the default-value row (heading or code) that covers it."""

    cn_code: str
    sector: str
    share: float  # of its sector's lines
    reference_code: str
    reference_route: str | None  # to pick one row where the table has several for one CN code
    median_tonnes: float  # per declaration line
    mass_spread: float  # sigma of log(mass)


PRODUCTS = (
    Product("72083900", "Iron and steel", 0.35, "7208", None, 80.0, 1.0),  # hot-rolled coil, < 3 mm
    Product("72085120", "Iron and steel", 0.20, "7208", None, 60.0, 1.0),  # hot-rolled plate, > 15 mm
    Product("72071114", "Iron and steel", 0.25, "72071114", None, 400.0, 1.0),  # billets
    Product("72011011", "Iron and steel", 0.20, "7201", None, 1000.0, 1.0),  # non-alloy pig iron
    Product("76011000", "Aluminium", 0.60, "7601", None, 25.0, 0.8),  # unwrought, not alloyed
    Product("76012080", "Aluminium", 0.40, "7601", None, 25.0, 0.8),  # unwrought alloys
    Product("25231000", "Cement", 0.45, "25231000", "(A)", 3000.0, 0.9),  # grey clinker, in bulk
    Product("25232900", "Cement", 0.45, "25232900", None, 500.0, 1.0),  # grey Portland cement
    Product("25232100", "Cement", 0.10, "25232100", None, 50.0, 0.8),  # white Portland cement
    Product("31021019", "Fertilisers", 0.45, "31021019", None, 2000.0, 1.0),  # urea
    Product("31023090", "Fertilisers", 0.30, "31023090", None, 1000.0, 1.0),  # ammonium nitrate
    Product("28141000", "Fertilisers", 0.25, "28141000", None, 1500.0, 1.0),  # anhydrous ammonia
    Product("28041000", "Hydrogen", 1.00, "28041000", None, 0.5, 1.0),  # cylinders, tube trailers
)

# Origins (ISO 3166-1 alpha-2) and their names in the default-value table.
ORIGINS = {
    "CN": "China",
    "IN": "India",
    "TR": "Türkiye",
    "UA": "Ukraine",
    "GB": "United Kingdom",
    "AR": "Argentina",
    "AL": "Albania",
}
ORIGIN_SHARES = {
    "Iron and steel": {"TR": 0.30, "IN": 0.25, "CN": 0.15, "UA": 0.15, "GB": 0.10, "AR": 0.05},
    "Aluminium": {"IN": 0.35, "CN": 0.25, "AR": 0.20, "GB": 0.10, "TR": 0.10},
    "Cement": {"TR": 0.60, "AL": 0.20, "UA": 0.15, "GB": 0.05},
    "Fertilisers": {"TR": 0.30, "GB": 0.20, "CN": 0.20, "UA": 0.20, "AR": 0.10},
    "Hydrogen": {"GB": 0.70, "TR": 0.30},
}
# Alpha-3 codes (ISO 3166-1), what some files put where alpha-2 is due.
ORIGIN_ALPHA3 = {"CN": "CHN", "IN": "IND", "TR": "TUR", "UA": "UKR", "GB": "GBR", "AR": "ARG", "AL": "ALB"}
# Fictional installations, three per origin and sector, named after production towns; the names carry
# accented letters so that a file's encoding matters, all of them within Windows-1252.
SITES = {
    "CN": ("Tangshan", "Baotou", "Zibo"),
    "IN": ("Angul", "Jamnagar", "Hazira"),
    "TR": ("Çanakkale", "Gölcük", "Söke"),
    "UA": ("Zaporizhzhia", "Kryvyi Rih", "Dnipro"),
    "GB": ("Port Talbot", "Teesside", "Immingham"),
    "AR": ("Zárate", "Campana", "Puerto Madryn"),
    "AL": ("Fushë-Krujë", "Elbasan", "Vlorë"),
}
SITES_PER_ORIGIN = 3
# An installation's actual emissions relative to the default value of its country: illustrative spread.
INSTALLATION_INTENSITY = (0.75, 1.15)


@dataclass(frozen=True)
class TenantProfile:
    declarant_countries: tuple[str, ...]  # member state of each declarant's EORI
    sector_shares: dict[str, float]  # of declarations


TENANTS = {
    "acme-steel": TenantProfile(
        ("DE", "DE", "NL"), {"Iron and steel": 0.80, "Aluminium": 0.18, "Hydrogen": 0.02}
    ),
    "nordic-cement": TenantProfile(
        ("SE", "DK", "FI"), {"Cement": 0.60, "Fertilisers": 0.35, "Hydrogen": 0.05}
    ),
}
# Any other tenant (benchmarks, tests) imports a bit of everything.
GENERIC_TENANT = TenantProfile(
    ("DE", "NL", "IT", "PL"),
    {"Iron and steel": 0.55, "Aluminium": 0.12, "Cement": 0.13, "Fertilisers": 0.19, "Hydrogen": 0.01},
)
# Digits after the country code of an EORI as the member states commonly issue them (national company
# or VAT numbers); Implementing Regulation (EU) 2015/2447 only caps the whole at 17 characters.
EORI_DIGITS = {"DE": 12, "NL": 9, "SE": 10, "DK": 8, "FI": 8, "IT": 11, "PL": 10}


def tenant_profile(tenant: str) -> TenantProfile:
    return TENANTS.get(tenant, GENERIC_TENANT)


def declarant_eoris(tenant: str) -> tuple[str, ...]:
    """The tenant's declarants: stable for a tenant, whatever the seed, as real EORIs are."""
    profile = tenant_profile(tenant)
    eoris = []
    for index, country in enumerate(profile.declarant_countries):
        digest = int(hashlib.sha256(f"{tenant}/{index}".encode()).hexdigest(), 16)
        width = EORI_DIGITS[country]
        eoris.append(f"{country}{digest % 10**width:0{width}d}")
    return tuple(eoris)


def installation_ids() -> list[str]:
    """Installation ids indexed by ``(origin, sector, site)`` in the order of ORIGINS and SECTORS."""
    return [
        f"{origin}-{sector[0]}{1 + site:04d} {SITES[origin][site]}"
        for origin in ORIGINS
        for sector in SECTORS
        for site in range(SITES_PER_ORIGIN)
    ]


def installation_intensity() -> np.ndarray:
    """Each installation's emissions relative to its country's default value, fixed like its id."""
    low, high = INSTALLATION_INTENSITY
    return np.random.default_rng(2621).uniform(low, high, size=len(installation_ids()))


def read_default_values(path: Path = DEFAULT_VALUES_FILE) -> list[CBAMDefaultValue]:
    with io.StringIO(path.read_bytes().decode("cp1252"), newline="") as text:
        reader = csv.reader(text, delimiter=";")
        next(reader)  # the published header; fields are taken in contract order
        # the published columns (each *_published field reads the text of its figure's column)
        fields = [name for name in CBAMDefaultValue.model_fields if not name.endswith("_published")]
        return [CBAMDefaultValue.model_validate(dict(zip(fields, row, strict=True))) for row in reader]


def reference_see(rows: list[CBAMDefaultValue]) -> tuple[np.ndarray, np.ndarray]:
    """Default direct and indirect SEE (tCO2e/t) per product and origin, NaN where there is none.

    From the country's row when it has a direct value, else from the row for other countries: what an
    installation there would plausibly be compared with.
    """
    direct = np.full((len(PRODUCTS), len(ORIGINS)), np.nan)
    indirect = np.full_like(direct, np.nan)
    for p, product in enumerate(PRODUCTS):
        for o, country in enumerate(ORIGINS.values()):
            row = next(
                row
                for name in (country, OTHER_COUNTRIES)
                for row in rows
                if row.country == name
                and row.product_cn_code == product.reference_code
                and product.reference_route in (None, row.production_route)
                and row.default_value_direct is not None
            )
            direct[p, o] = float(row.default_value_direct)
            if row.default_value_indirect is not None:
                indirect[p, o] = float(row.default_value_indirect)
    return direct, indirect
