"""The form of the API token page."""

from django import forms

from culturegap.api.services import NAME_MAX_LENGTH


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Name",
        help_text="What will use the token, e.g. “CRM sync” or “quarterly report script”.",
    )
