"""Forms of the integrations pages: export date range, webhook endpoints, the LRS link."""

from urllib.parse import urlsplit

from django import forms

from culturegap.integrations.models import LrsEndpoint, WebhookEndpoint, WebhookEvent

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class DateRangeForm(forms.Form):
    """``from``/``to`` (inclusive, either may be left out) as URL parameters of an export."""

    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DATE_WIDGET,
        error_messages={"invalid": "Give the first day as YYYY-MM-DD."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DATE_WIDGET,
        error_messages={"invalid": "Give the last day as YYYY-MM-DD."},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The last day comes before the first day.")
        return cleaned


def check_web_url(url: str) -> str:
    """An http(s) URL with a host; anything else cannot receive a POST from us."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise forms.ValidationError("Give an http:// or https:// address.")
    if not parts.hostname:
        raise forms.ValidationError("The address needs a host name, e.g. https://example.com/hook.")
    if parts.username or parts.password:
        raise forms.ValidationError("Put no user name or password in the address.")
    return url


class WebhookEndpointForm(forms.ModelForm):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/culturegap-hook"}),
        help_text="We POST each event here as JSON.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event.",
            "invalid_choice": "Choose among the events listed.",
        },
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]
        labels = {"is_active": "Active (uncheck to pause deliveries)"}

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url.startswith(("http://", "https://")):
            forms.URLField(assume_scheme="https").clean(url)
        return check_web_url(url)


class LrsEndpointForm(forms.ModelForm):
    url = forms.CharField(
        label="LRS endpoint",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://lrs.example.com/xapi"}),
        help_text="Statements are POSTed to this address + /statements.",
    )
    password = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current password.",
    )

    class Meta:
        model = LrsEndpoint
        fields = ["url", "username", "password", "is_active"]
        labels = {"username": "User name (Basic auth key)", "is_active": "Active"}

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url.startswith(("http://", "https://")):
            forms.URLField(assume_scheme="https").clean(url)
        return check_web_url(url)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password and self.instance.pk:
            return self.instance.password
        return password
