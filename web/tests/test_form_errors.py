"""Form errors are linked to their fields: the widget names its help text and its error
(aria-describedby), and says it is invalid (aria-invalid), on every form drawn by
includes/form_fields.html."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class AmountForm(forms.Form):
    amount = forms.DecimalField(help_text="At most two decimals.")
    memo = forms.CharField(required=False)


def test_it_links_an_error_and_the_help_text_to_the_field():
    form = AmountForm({"amount": "NaN"})
    assert not form.is_valid()
    html = render_to_string("includes/form_fields.html", {"form": form})
    [widget] = re.findall(r"<input[^>]*name=\"amount\"[^>]*>", html)
    assert 'aria-invalid="true"' in widget
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in widget
    assert 'id="id_amount_error"' in html and 'id="id_amount_helptext"' in html


def test_it_leaves_a_plain_field_alone():
    html = render_to_string("includes/form_fields.html", {"form": AmountForm()})
    [memo] = re.findall(r"<input[^>]*name=\"memo\"[^>]*>", html)
    assert "aria-describedby" not in memo
