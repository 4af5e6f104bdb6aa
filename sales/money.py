"""Money in one currency at a time: amounts are grouped by currency, and converted into the reporting
currency only with the rates an admin keeps in data/currencies.toml (each with the date it is from).

A lead without a currency, or in a currency with no rate, is never counted as the reporting currency:
it stays apart as unconverted.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sales.paths import DATA_DIR, ROOT
from sales.tomlvalues import number

DEFAULT_CURRENCIES = DATA_DIR / "currencies.toml"
NO_CURRENCY = "no currency"  # a lead whose amount has no currency is counted apart, never as another's
# the one SQL expression that names an amount's currency: upper-cased, blank as no currency (bound: ?)
CURRENCY_SQL = "coalesce(nullif(trim(upper({column})), ''), ?)"


class CurrencyError(ValueError):
    """The currencies file is unusable; the message names the setting."""


@dataclass(frozen=True)
class Rate:
    currency: str
    rate: float  # one unit of ``currency`` in the reporting currency
    as_of: date


@dataclass(frozen=True)
class Currencies:
    reporting: str
    rates: Mapping[str, Rate]
    source: str = "data/currencies.toml"  # the file the rates came from, for the page to name

    def factor(self, currency: str | None) -> float | None:
        """What one unit of ``currency`` is worth in the reporting currency; None when unknown."""
        code = currency_code(currency)
        if code == self.reporting:
            return 1.0
        rate = self.rates.get(code)
        return rate.rate if rate else None

    def convert(self, totals: Mapping[str, float]) -> Converted:
        """Per-currency totals → their sum in the reporting currency, and what could not be converted."""
        total, left = 0.0, {}
        for code, amount in totals.items():
            f = self.factor(code)
            if f is None:
                if amount:
                    left[code] = amount
            else:
                total += amount * f
        return Converted(total, self.reporting, left)

    def used(self, codes) -> list[Rate]:
        """The rates a conversion of these currencies relied on (for the page to name them)."""
        return [self.rates[c] for c in sorted(set(codes)) if c in self.rates and c != self.reporting]

    def note(self, codes) -> str:
        """One line saying how a converted figure was made."""
        rates = self.used(codes)
        said = "; ".join(f"1 {r.currency} = {r.rate:g} {self.reporting} (rate of {r.as_of})" for r in rates)
        return f"Converted to {self.reporting}" + (f" at {said}" if said else "") + f" ({self.source})."

    @property
    def codes(self) -> tuple[str, ...]:
        """The currencies an amount can be converted from: the reporting one first, then those with a rate."""
        return (self.reporting, *sorted(c for c in self.rates if c != self.reporting))


def not_converted(left: Mapping[str, float | None]) -> str:
    """The sentence naming what a converted figure leaves out: each currency with no rate (or an amount with
    no currency), with its amount where given (None: the figure shows it already); empty when nothing is."""
    if not left:
        return ""
    said = ", ".join(code if amount is None else f"{amount:,.0f} {code}" for code, amount in left.items())
    return f"Not converted (no rate, or {NO_CURRENCY}): {said}."


@dataclass(frozen=True)
class Converted:
    total: float  # in ``currency``
    currency: str
    unconverted: Mapping[str, float]  # currency (or NO_CURRENCY) → amount left out of ``total``


def currency_code(value: object) -> str:
    text = str(value).strip().upper() if value is not None else ""
    return text or NO_CURRENCY


def parse_currencies(doc: Mapping) -> Currencies:
    reporting = doc.get("reporting")
    if not isinstance(reporting, str) or not re.fullmatch(r"[A-Z]{3}", reporting):
        raise CurrencyError(f"reporting must be a three-letter currency code such as USD, got {reporting!r}")
    rates = {}
    for code, raw in (doc.get("rates") or {}).items():
        where = f"[rates.{code}]"
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise CurrencyError(f"{where}: the currency must be a three-letter code in capitals")
        if not isinstance(raw, Mapping) or set(raw) != {"rate", "as_of"}:
            raise CurrencyError(f"{where}: give exactly 'rate' and 'as_of'")
        rate, as_of = raw["rate"], raw["as_of"]
        if not number(rate) or not rate > 0:
            raise CurrencyError(f"{where}: rate must be a positive number, got {rate!r}")
        if not isinstance(as_of, date):
            raise CurrencyError(f"{where}: as_of must be a date (YYYY-MM-DD), got {as_of!r}")
        rates[code] = Rate(code, float(rate), as_of)
    return Currencies(reporting, rates)


def load_currencies(path: Path | str = DEFAULT_CURRENCIES) -> Currencies:
    """The rates of ``path`` (a relative path is from the working directory, like every SALES_* file); their
    source is named from the project's root when the file is inside it."""
    path = Path(path)
    try:
        parsed = parse_currencies(tomllib.loads(path.read_text(encoding="utf-8")))
        whole = path.resolve()
        shown = whole.relative_to(ROOT) if whole.is_relative_to(ROOT) else path
        return Currencies(parsed.reporting, parsed.rates, str(shown))
    except (OSError, tomllib.TOMLDecodeError, CurrencyError) as e:
        raise CurrencyError(f"{path}: {e}") from e


@cache
def default_currencies() -> Currencies:
    """The rates in force: ``SALES_CURRENCIES`` when set, else data/currencies.toml."""
    return load_currencies(os.environ.get("SALES_CURRENCIES") or DEFAULT_CURRENCIES)


# ISO 4217 currency codes (the active list, with codes withdrawn recently enough to appear in old exports;
# XXX "no currency" and XTS "testing" left out)
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS
TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD
XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL""".split())
# signs that name one currency wherever they are written; "$" alone does not (US, Canadian, Australian…),
# nor "¥" (yen or yuan), "kr" or "R"
CURRENCY_SIGNS = {
    "€": "EUR", "£": "GBP", "US$": "USD", "U$S": "USD", "CA$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "SG$": "SGD", "S$": "SGD", "R$": "BRL", "MX$": "MXN", "₹": "INR", "₩": "KRW", "₪": "ILS",
    "₺": "TRY", "₴": "UAH", "₦": "NGN", "₱": "PHP", "฿": "THB", "₫": "VND", "₽": "RUB", "₸": "KZT", "₾": "GEL",
    "₼": "AZN", "৳": "BDT", "zł": "PLN", "Kč": "CZK", "euro": "EUR", "euros": "EUR",
}


class UnknownCurrency(ValueError):
    """A currency as written names no single ISO 4217 currency; the message says which text."""


def iso_currency(text: object, dollar: str | None = None) -> str | None:
    """The ISO 4217 code a currency as people write it stands for: ``usd`` → USD, ``US$`` → USD, ``€`` → EUR,
    ``£`` → GBP, ``United States Dollar - USD`` → USD; ``$`` only when ``dollar`` (the layout's locale) says which
    dollar. None for a blank; anything else raises UnknownCurrency, so it is never kept as a new currency."""
    raw = "" if text is None else str(text)
    t = " ".join(raw.split())
    if not t:
        return None
    if t.upper() in ISO_4217:
        return t.upper()
    if t in CURRENCY_SIGNS or t.lower() in CURRENCY_SIGNS:
        return CURRENCY_SIGNS.get(t) or CURRENCY_SIGNS[t.lower()]
    if t == "$" and dollar in ISO_4217:
        return dollar
    named = re.fullmatch(r".*?[\s(-]([A-Za-z]{3})\)?", t)  # "United States Dollar - USD", "Euro (EUR)"
    if named and named.group(1).upper() in ISO_4217 and named.group(1).isupper():
        return named.group(1)
    raise UnknownCurrency(f"{raw!r} names no currency we can tell (an ISO 4217 code such as USD or EUR, or €, £, "
                          "US$)")
