"""How figures are written: thousands separated, the decimals of their measure, money in the
company's currency."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from culturegap.org.figures import format_money, format_number


def _render(text: str, **context) -> str:
    return Template("{% load culturegap %}" + text).render(Context(context))


def test_counts_are_whole_and_grouped():
    assert _render("{{ 20200|count }}") == "20,200"
    assert _render("{{ 1904500|count }}") == "1,904,500"
    assert _render("{{ value|count }}", value=None) == "–"


def test_nps_and_percentages_take_one_decimal():
    assert _render("{{ value|nps }}", value=1.5) == "1.5"
    assert _render("{{ value|nps }}", value=100 / 3) == "33.3"
    assert _render("{{ value|nps }}", value=-100.0) == "-100.0"
    assert _render("{{ value|percent }}", value=96.64) == "96.6 %"
    assert _render("{{ value|percent }}", value=97) == "97.0 %"
    assert _render("{{ value|share }}", value=0.966) == "96.6 %"
    assert _render("{{ value|nps }}", value=-0.04) == "0.0"  # never "-0.0"


def test_other_figures_take_the_decimals_asked_for():
    assert _render("{{ value|number:2 }}", value=1.5) == "1.50"
    assert _render("{{ value|number:1 }}", value=234100) == "234,100.0"
    assert _render('{{ value|number:"-1" }}', value=20.0) == "20"
    assert _render('{{ value|number:"-1" }}', value=20.5) == "20.5"
    assert _render("{{ value|figure }}", value=20200) == "20,200"
    assert _render("{{ value|figure }}", value="12%") == "12%"


def test_money_is_written_in_the_company_currency(company):
    assert company.currency == "GBP"  # the default
    assert _render("{{ value|money:company }} a year", value=4800, company=company) == (
        "£4,800 a year"
    )
    company.currency = "EUR"
    assert _render("{{ value|money:company }}", value=234100.0, company=company) == "€234,100"
    company.currency = "USD"
    assert _render("{{ value|money_exact:company }}", value=4800.5, company=company) == "$4,800.50"
    assert _render("{{ value|money_exact:company }}", value=4800, company=company) == "$4,800"
    company.currency = "CHF"
    assert _render("{{ value|money:company }}", value=4800, company=company) == "CHF 4,800"
    assert _render("{{ value|money:company }}", value=None, company=company) == "–"


def test_the_formatting_functions():
    assert format_number(1234567.891, 1) == "1,234,567.9"
    assert format_number(None) == "–"
    assert format_money(-1500, "GBP") == "-£1,500"
    assert format_money(1500.25, "JPY", decimals=None) == "JPY 1,500.25"


def test_a_company_currency_is_a_known_iso_code(company):
    company.currency = "EUR"
    company.full_clean()
    company.currency = "XYZ"
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert "currency" in error.value.message_dict
