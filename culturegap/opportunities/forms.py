"""Forms of the opportunities pages: they parse input; the rules live in services.py."""

from django import forms

from culturegap.opportunities.models import Channel, ContactWay, Status, Urgency
from culturegap.opportunities.selectors import Scope, scopes_for, sees_pipeline
from culturegap.opportunities.services import CONTACT_WHEN_MAX_LENGTH, NEED_MAX_LENGTH
from culturegap.org.models import Customer, Service
from culturegap.org.scope import teams_visible_to


class RecordForm(forms.Form):
    """Pass on a need. The customer arrives as the id of a radio button the search offered;
    ``request_id`` is made when the form is shown, so a second copy of one submission is
    recognised."""

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
    customer_agreed = forms.TypedChoiceField(
        label="Did the customer agree that a colleague contacts them?",
        choices=[("yes", "Yes, they agreed"), ("no", "No, not now")],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Ask the customer whether a colleague may contact them: yes or no.",
            "invalid_choice": "Answer yes or no.",
        },
    )
    contact_way = forms.ChoiceField(
        label="How they would like to be contacted",
        choices=ContactWay.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the ways listed."},
    )
    contact_when = forms.CharField(
        label="When suits them",
        required=False,
        max_length=CONTACT_WHEN_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "e.g. weekday mornings, after 15 May"}),
    )
    request_id = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page was out of date: check the answers and pass it on again.",
            "invalid": "This page was out of date: check the answers and pass it on again.",
        },
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(company=company)
        self.fields["service"].queryset = Service.objects.filter(company=company).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("customer_agreed") and not cleaned.get("contact_way"):
            self.add_error("contact_way", "Say how the customer would like to be contacted.")
        return cleaned


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
# The same filters in the words of a CRP, who follows what happened for the customer.
CUSTOMER_FILTERS = [
    ("", "Anything"),
    ("open", "Still in progress"),
    ("stale", "Waiting too long"),
    ("helped", "The customer now uses it"),
    ("not_now", "Not going ahead for now"),
]
CUSTOMER_FILTER_STATUS = {"helped": Status.WON, "not_now": Status.LOST}


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
        if not sees_pipeline(viewer):
            # The pipeline's statuses stay valid, so links made for them keep working, but the
            # menu offers only the words of what happened for the customer.
            self.fields["status"].choices = CUSTOMER_FILTERS + list(Status.choices)
            self.fields["status"].widget.choices = CUSTOMER_FILTERS
            self.fields["status"].label = "What happened"
            self.fields["since"].label = "Passed on from"
            self.fields["until"].label = "Passed on until"
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
        status = data.get("status") or ""
        return {key: data.get(key) for key in ("scope", "since", "until", "team", "service")} | {
            "status": CUSTOMER_FILTER_STATUS.get(status, status)
        }
