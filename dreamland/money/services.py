"""Exchange-rate writes: manual entry and the National Bank of Kazakhstan daily rates file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from django.db import transaction
from django.utils.translation import gettext as _

from dreamland.lib.changes import SALES, reports_changed
from dreamland.lib.choices import Currency
from dreamland.lib.errors import DomainError
from dreamland.money.models import ExchangeRate

SUPPORTED = frozenset(Currency.values) - {Currency.KZT}


class RatesFileInvalid(DomainError):
    """The NBK rates file cannot be read; `message` says what is wrong, in one line."""

    code = "invalid_rates_file"


@dataclass(frozen=True)
class ParsedRate:
    currency: str
    date: date
    rate: Decimal  # KZT per 1 unit (NBK's `description` divided by `quant`)


def exchange_rate_set(
    *, currency: str, on_date: date, rate: Decimal, source: str = "manual"
) -> ExchangeRate:
    """Create or replace the rate of `currency` on `on_date` (one row per currency and date)."""
    if currency not in SUPPORTED:
        raise RatesFileInvalid(
            _("Unsupported currency %(currency)s.") % {"currency": repr(currency)},
            field="currency",
        )
    if rate <= 0:
        raise RatesFileInvalid(_("A rate must be positive."), field="rate")
    obj, _created = ExchangeRate.objects.update_or_create(
        currency=currency, date=on_date, defaults={"rate": rate, "source": source}
    )
    reports_changed(SALES)
    return obj


def _parse_date(text: str | None) -> date:
    text = (text or "").strip()
    if not text:
        raise RatesFileInvalid(_("The file has no date."))
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError):
        raise RatesFileInvalid(
            _("Unreadable date %(date)s (expected DD.MM.YYYY).") % {"date": repr(text)}
        ) from None


def _child(item: Element, tag: str) -> str:
    node = item.find(tag)
    return (node.text or "").strip() if node is not None else ""


def _rate(item: Element, code: str) -> Decimal:
    raw = _child(item, "description").replace(",", ".")
    quant_raw = _child(item, "quant") or "1"
    try:
        value = Decimal(raw)
        quant = Decimal(quant_raw)
    except InvalidOperation:
        raise RatesFileInvalid(
            _("Unreadable rate %(rate)s (quant %(quant)s) for %(currency)s.")
            % {"rate": repr(raw), "quant": repr(quant_raw), "currency": code}
        ) from None
    if not value.is_finite() or value <= 0 or not quant.is_finite() or quant <= 0:
        raise RatesFileInvalid(
            _("Rate for %(currency)s must be a positive number, got %(rate)s/%(quant)s.")
            % {"currency": code, "rate": repr(raw), "quant": repr(quant_raw)}
        )
    return (value / quant).quantize(Decimal("0.000001"))


def parse_nbk_rates(content: bytes) -> list[ParsedRate]:
    """Parse NBK's `get_rates.cfm` XML (`<rates><date>…<item>…`) or its RSS variant.

    Only the currencies we sell in (USD, EUR, RUB) are kept; others in the file are ignored.
    Raises `RatesFileInvalid` with a one-line reason; returns nothing partial.
    """
    try:
        root = SafeET.fromstring(content)
    except SafeET.ParseError as exc:
        raise RatesFileInvalid(_("Not well-formed XML: %(error)s.") % {"error": exc}) from None
    except Exception as exc:  # defusedxml refuses entities/DTDs with its own errors
        raise RatesFileInvalid(
            _("Refused XML: %(error)s.") % {"error": exc.__class__.__name__}
        ) from None
    if root.tag == "rates":
        file_date: date | None = _parse_date(_child(root, "date"))
        items = root.findall("item")
    elif root.tag == "rss":
        file_date = None
        items = root.findall("channel/item")
    else:
        raise RatesFileInvalid(
            _("Unexpected root element <%(tag)s> (expected <rates> or <rss>).") % {"tag": root.tag}
        )
    if not items:
        raise RatesFileInvalid(_("The file has no <item> rates."))
    parsed: dict[str, ParsedRate] = {}
    for item in items:
        code = _child(item, "title").upper()
        if code not in SUPPORTED:
            continue
        on_date = file_date or _parse_date(_child(item, "pubDate"))
        parsed[code] = ParsedRate(currency=code, date=on_date, rate=_rate(item, code))
    if not parsed:
        raise RatesFileInvalid(
            _("No rate for any of %(currencies)s in the file.")
            % {"currencies": ", ".join(sorted(SUPPORTED))}
        )
    return sorted(parsed.values(), key=lambda r: r.currency)


def exchange_rates_import_nbk(*, content: bytes) -> list[ParsedRate]:
    """Import an NBK daily rates file; idempotent (one row per currency and date), all or nothing."""
    rates = parse_nbk_rates(content)
    with transaction.atomic():
        for r in rates:
            exchange_rate_set(currency=r.currency, on_date=r.date, rate=r.rate, source="nbk")
    return rates
