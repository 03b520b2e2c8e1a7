"""Every form that takes a national code pads one a spreadsheet stripped of its
leading zeros (8 or 9 digits) and then checks it; 7 digits stay an error."""

from typing import Any

import pytest
from django import forms

from accounts.forms import LegalRegistrationForm, NaturalRegistrationForm
from agencies.forms import MemberForm, RepresentativeForm
from brokers.forms import ClerkForm, DelegationForm, FindForm, LookupForm
from payam.text import to_persian_digits

FORMS: list[tuple[type[forms.Form], str, dict[str, Any]]] = [
    (NaturalRegistrationForm, "national_code", {}),
    (LegalRegistrationForm, "ceo_national_code", {}),
    (RepresentativeForm, "national_code", {"domain": "example.ir"}),
    (MemberForm, "national_code", {}),
    (LookupForm, "national_code", {}),
    (DelegationForm, "national_code", {}),
    (FindForm, "national_code", {}),
    (ClerkForm, "national_code", {}),
]


def _field_result(form_class, field, kwargs, typed):
    form = form_class(data={field: typed}, **kwargs)
    form.is_valid()
    return form.cleaned_data.get(field), form.errors.get(field)


@pytest.mark.parametrize(("form_class", "field", "kwargs"), FORMS)
@pytest.mark.parametrize("typed", ["13542419", "013542419", to_persian_digits("13542419")])
def test_a_code_without_its_leading_zeros_is_padded(form_class, field, kwargs, typed):
    cleaned, errors = _field_result(form_class, field, kwargs, typed)
    assert errors is None and cleaned == "0013542419"


@pytest.mark.parametrize(("form_class", "field", "kwargs"), FORMS)
@pytest.mark.parametrize("typed", ["3542419", "13542418"])
def test_too_short_or_wrong_codes_stay_errors(form_class, field, kwargs, typed):
    cleaned, errors = _field_result(form_class, field, kwargs, typed)
    assert cleaned is None and errors
