"""Forms of the opportunities pages: they parse input; the rules live in services.py."""

from django import forms

from culturegap.opportunities.models import Channel, Status, Urgency
from culturegap.opportunities.selectors import Scope, scopes_for
from culturegap.opportunities.services import NEED_MAX_LENGTH
from culturegap.org.models import Customer, Service
from culturegap.org.scope import teams_visible_to


class RecordForm(forms.Form):
    """Record a need. The customer arrives as the id of a radio button the search offered."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        error_messages={
            "required": "Find the customer and pick them from the list.",
            "invalid_choice": "Pick a customer of your company from the list.",
        },
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        empty_label="Not sure",
        label="Service it points to",
        error_messages={"invalid_choice": "Pick a service from the catalog."},
    )
    need = forms.CharField(
        label="The need, in the customer's words",
        max_length=NEED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write down what the customer said."},
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(
        label="How you were in contact",
        # Survey answers arrive through the loyalty survey, not through this form.
        choices=[(value, label) for value, label in Channel.choices if value != Channel.SURVEY],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(company=company)
        self.fields["service"].queryset = Service.objects.filter(company=company).order_by("name")


class MoveForm(forms.Form):
    """The next step of the pipeline; the service decides whether the move is allowed."""

    to_status = forms.ChoiceField(label="Move to", choices=Status.choices, widget=forms.RadioSelect)
    value = forms.DecimalField(
        label="Value won (per year)",
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text="Required when won.",
    )
    reason = forms.CharField(
        label="Why it was lost", required=False, max_length=1000, help_text="Required when lost."
    )
    note = forms.CharField(
        required=False, max_length=NEED_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, next_statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        if next_statuses:
            self.fields["to_status"].choices = [
                (value, label) for value, label in Status.choices if value in next_statuses
            ]


class AssignForm(forms.Form):
    owner = forms.EmailField(
        label="Hand to (a salesperson's e-mail)",
        required=False,
        help_text="Leave empty to return it to the sales queue.",
    )
    note = forms.CharField(required=False, max_length=NEED_MAX_LENGTH)


STATUS_FILTERS = [
    ("", "Any status"),
    ("open", "Open"),
    ("stale", "Untouched too long"),
    *Status.choices,
]


class FilterForm(forms.Form):
    """The filters of the list page and of its CSV export."""

    scope = forms.ChoiceField(label="List", required=False)
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False)
    since = forms.DateField(
        label="Recorded from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    until = forms.DateField(
        label="Recorded until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    team = forms.ModelChoiceField(
        label="Found by team", queryset=None, required=False, empty_label="Any team"
    )
    service = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any service")

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        scopes = scopes_for(viewer=viewer)
        self.fields["scope"].choices = [(scope, Scope.LABELS[scope]) for scope in scopes]
        self.fields["scope"].initial = scopes[0]
        teams = teams_visible_to(viewer=viewer)
        if viewer.team_id:
            teams = teams | teams.model.objects.filter(pk=viewer.team_id)
        self.fields["team"].queryset = teams.distinct().order_by("name")
        self.fields["service"].queryset = Service.objects.filter(
            company_id=viewer.company_id
        ).order_by("name")
        self.default_scope = scopes[0]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        cleaned["scope"] = cleaned.get("scope") or self.default_scope
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.opportunity_list``."""
        data = self.cleaned_data
        return {key: data.get(key) for key in ("scope", "since", "until", "team", "service")} | {
            "status": data.get("status") or ""
        }
