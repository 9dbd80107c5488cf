"""Forms of the loyalty pages: the customer's survey answer, the campaign, the dashboard filters
and the profit estimator's inputs."""

import datetime

from django import forms

from culturegap.loyalty.models import (
    DEFAULT_QUESTION,
    DEFAULT_REASON_QUESTION,
    DEFAULT_SERVICES_QUESTION,
)
from culturegap.loyalty.services import REASON_MAX_LENGTH
from culturegap.measures.loyalty import MONTH, QUARTER
from culturegap.org.figures import DEFAULT_PERIOD, PERIODS, months_before
from culturegap.org.models import Service

SCORES = [(score, str(score)) for score in range(11)]
MAX_WINDOW_DAYS = 10 * 366


class SurveyAnswerForm(forms.Form):
    """What a customer answers. ``services`` are the ones they may pick (the company's services
    they do not buy); any other id, including another company's, is refused."""

    score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a score from 0 to 10.",
            "invalid_choice": "Choose a score from 0 to 10.",
        },
    )
    reason = forms.CharField(
        required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    wanted_services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose only among the services listed.",
            "invalid_pk_value": "Choose only among the services listed.",
        },
    )

    def __init__(self, *args, campaign, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = campaign.question_text()
        self.fields["reason"].label = campaign.reason_question
        self.fields["wanted_services"].label = campaign.services_question
        self.fields["wanted_services"].queryset = services


class CampaignForm(forms.Form):
    AUDIENCE_ALL = "all"
    AUDIENCE_SERVICE = "service"

    name = forms.CharField(max_length=200)
    opens_on = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    closes_on = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    audience = forms.ChoiceField(
        choices=[
            (AUDIENCE_ALL, "Every active customer"),
            (AUDIENCE_SERVICE, "Customers of one service line"),
        ],
        widget=forms.RadioSelect,
        initial=AUDIENCE_ALL,
        label="Who is asked",
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label="Service line",
        help_text="Only when asking the customers of one service line.",
    )
    question = forms.CharField(
        max_length=300,
        initial=DEFAULT_QUESTION,
        help_text="{company} is replaced by your company's name.",
    )
    reason_question = forms.CharField(
        max_length=300, initial=DEFAULT_REASON_QUESTION, label="Follow-up question"
    )
    services_question = forms.CharField(
        max_length=300, initial=DEFAULT_SERVICES_QUESTION, label="Question about other services"
    )

    def __init__(self, *args, company, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(company=company)
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + datetime.timedelta(days=28)
        self.fields["name"].initial = f"Loyalty survey {today:%B %Y}"

    def clean(self):
        data = super().clean()
        if data.get("audience") == self.AUDIENCE_SERVICE and not data.get("service"):
            self.add_error("service", "Choose the service line whose customers are asked.")
        if data.get("audience") == self.AUDIENCE_ALL:
            data["service"] = None
        return data


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    end = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    team = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All teams", label="Team"
    )
    by = forms.ChoiceField(
        choices=[(QUARTER, "Quarter"), (MONTH, "Month")],
        required=False,
        label="Trend by",
    )

    def __init__(self, *args, teams, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["team"].queryset = teams

    def clean(self):
        data = super().clean()
        end = data.get("end") or self.today
        # Without a start: the dashboard's period (``period_bounds``), the same day a year
        # before the end, both days included.
        start = data.get("start") or months_before(end, PERIODS[DEFAULT_PERIOD][1])
        if "start" in self.errors or "end" in self.errors:
            return data
        if start > end:
            self.add_error("start", "The period must start before it ends.")
        elif (end - start).days > MAX_WINDOW_DAYS:
            self.add_error("start", "Choose a period of at most ten years.")
        data["start"], data["end"] = start, end
        data["by"] = data.get("by") or QUARTER
        return data


class EstimatorForm(forms.Form):
    customers = forms.IntegerField(min_value=0, max_value=100_000_000, label="Customers")
    revenue_per_customer = forms.DecimalField(
        min_value=0, max_value=10**10, decimal_places=2, label="Yearly revenue per customer"
    )
    margin_percent = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, label="Profit margin (%)"
    )
    retention_percent = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, label="Customer retention per year (%)"
    )
    acquisition_cost = forms.DecimalField(
        min_value=0, max_value=10**10, decimal_places=2, label="Cost to win a new customer"
    )
    retention_gain_points = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, label="Retention gain (percentage points)"
    )
    extra_services_per_customer = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, label="Extra services per customer"
    )
    service_value = forms.DecimalField(
        min_value=0, max_value=10**10, decimal_places=2, label="Yearly value of one service"
    )
