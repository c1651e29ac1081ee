"""The one page error path (decision 0011): a view catches `DomainError` and shows it with
`lisplan.errors.page_message` / `page_problems` / `add_to_form`; a plain refusal is not a
message but a 403, as in the API."""

import pytest
from django import forms

from lisplan.errors import (
    Conflict,
    Invalid,
    Problem,
    Refused,
    StateError,
    add_to_form,
    page_message,
    page_messages,
    page_problems,
)


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_a_plain_refusal_is_re_raised_so_the_page_answers_403():
    error = Refused("Ikke tilgang.")
    for helper in (page_message, page_problems, page_messages):
        with pytest.raises(Refused):
            helper(error)
    form = _Form({})
    with pytest.raises(Refused):
        add_to_form(form, error)


def test_a_refusal_about_one_field_is_shown_by_it():
    error = Refused("Bare leder kan bekrefte.", "leader_only", "name")
    form = _Form({})
    form.is_valid()
    add_to_form(form, error)
    assert form.errors == {"name": ["Bare leder kan bekrefte."]}
    assert page_message(error) == "Bare leder kan bekrefte."


def test_messages_are_the_errors_own_words():
    assert (
        page_message(StateError("Planen er allerede godkjent.")) == "Planen er allerede godkjent."
    )
    assert page_message(Conflict("Endret av en annen.")) == "Endret av en annen."
    invalid = Invalid(
        problems=[Problem("name", "required", "Skriv et navn."), Problem("x", "y", "Z.")]
    )
    assert page_message(invalid) == "Skriv et navn.; Z."
    assert page_messages(invalid) == ["Skriv et navn.", "Z."]
    form = _Form({})
    form.is_valid()
    add_to_form(form, invalid)
    assert form.errors == {"name": ["Skriv et navn."], "__all__": ["Z."]}
