from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dreamland.money.models import ExchangeRate
from dreamland.money.services import RatesFileInvalid, parse_nbk_rates

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).parent / "fixtures" / "nbk_2026-11-25.xml"


def _rates() -> dict[str, Decimal]:
    return dict(ExchangeRate.objects.values_list("currency", "rate"))


def test_it_imports_usd_eur_rub_of_the_files_date(tmp_path):
    out = StringIO()
    call_command("import_rates", str(FIXTURE), stdout=out)
    assert _rates() == {"USD": Decimal("512.34"), "EUR": Decimal("590.12"), "RUB": Decimal("6.48")}
    assert set(ExchangeRate.objects.values_list("date", flat=True)) == {date(2026, 11, 25)}
    assert set(ExchangeRate.objects.values_list("source", flat=True)) == {"nbk"}
    assert "Imported 3 rate(s)." in out.getvalue()


def test_importing_twice_updates_instead_of_duplicating(tmp_path):
    call_command("import_rates", str(FIXTURE), stdout=StringIO())
    changed = tmp_path / "rates.xml"
    changed.write_text(
        FIXTURE.read_text(encoding="utf-8").replace("512.34", "515.00"), encoding="utf-8"
    )
    call_command("import_rates", str(changed), stdout=StringIO())
    assert ExchangeRate.objects.count() == 3
    assert _rates()["USD"] == Decimal("515.00")


def test_a_rate_quoted_per_hundred_units_is_divided_by_quant():
    content = FIXTURE.read_bytes().replace(
        b"<description>6.48</description>\n    <quant>1</quant>",
        b"<description>648</description>\n    <quant>100</quant>",
    )
    rates = {r.currency: r.rate for r in parse_nbk_rates(content)}
    assert rates["RUB"] == Decimal("6.48")


def test_the_rss_variant_is_read_too():
    content = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>NBK</title>
<item><title>USD</title><pubDate>25.11.2026</pubDate><description>512.34</description>
<quant>1</quant><index>UP</index><change>+1.2</change></item>
<item><title>KGS</title><pubDate>25.11.2026</pubDate><description>5.86</description></item>
</channel></rss>"""
    [usd] = parse_nbk_rates(content)
    assert (usd.currency, usd.date, usd.rate) == ("USD", date(2026, 11, 25), Decimal("512.34"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<rates><date>25.11.2026</date><item>", "Not well-formed XML"),
        (b"<html><body>Service unavailable</body></html>", "Unexpected root element <html>"),
        (
            b"<rates><date>2026/11/25</date><item><title>USD</title></item></rates>",
            "Unreadable date",
        ),
        (b"<rates><date>25.11.2026</date></rates>", "no <item> rates"),
        (
            b"<rates><date>25.11.2026</date><item><title>AUD</title><description>3</description></item></rates>",
            "No rate for any of EUR, RUB, USD",
        ),
        (
            b"<rates><date>25.11.2026</date><item><title>USD</title><description>n/a</description></item></rates>",
            "Unreadable rate 'n/a'",
        ),
        (
            b"<rates><date>25.11.2026</date><item><title>USD</title><description>-5</description></item></rates>",
            "must be a positive number",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rates>&a;</rates>',
            "Refused XML",
        ),
    ],
)
def test_a_bad_file_fails_with_one_line_and_writes_nothing(tmp_path, content, message):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(content)
    with pytest.raises(CommandError) as exc:
        call_command("import_rates", str(bad), stdout=StringIO())
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not ExchangeRate.objects.exists()


def test_a_file_with_one_bad_supported_rate_writes_none_of_them():
    content = FIXTURE.read_bytes().replace(b"590.12", b"oops")
    with pytest.raises(RatesFileInvalid, match="for EUR"):
        from dreamland.money.services import exchange_rates_import_nbk

        exchange_rates_import_nbk(content=content)
    assert not ExchangeRate.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_rates", str(tmp_path / "nope.xml"))


def test_a_bad_file_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.xml"
    bad.write_text("not xml")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "import_rates", str(bad)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert result.returncode != 0
    assert "Not well-formed XML" in result.stderr
