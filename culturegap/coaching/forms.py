"""Forms of the coaching pages: they parse input; the rules live in services.py."""

from django import forms

from culturegap.coaching import selectors
from culturegap.coaching.models import Channel, Rating, ScorecardItem
from culturegap.coaching.services import MAX_BEHAVIOUR_LENGTH, MAX_COMMENT_LENGTH, rating_field
from culturegap.org import scope as org_scope
from culturegap.org.models import Customer, Person, Team

NOT_OBSERVED = "not-observed"
RATING_CHOICES = [
    *((str(choice.value), f"{choice.value} · {choice.label}") for choice in Rating),
    (NOT_OBSERVED, "Not observed"),
]


def short_names(items: list[ScorecardItem]) -> list[str]:
    """Each behaviour's short name for the error summary: its step's name (``skill_name``, set
    by the view), else its step key; numbered when a step has several behaviours. The legend
    beside the ratings keeps the whole behaviour."""
    names = [
        getattr(item, "skill_name", "") or item.skill.replace("-", " ").capitalize()
        for item in items
    ]
    seen: dict[str, int] = {}
    numbered = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        numbered.append(f"{name}, behaviour {seen[name]}" if names.count(name) > 1 else name)
    return numbered


class ObservationForm(forms.Form):
    """An observation (``observer`` scoring someone in their line) or, without a person field,
    a self-assessment. One required radio group per scorecard item: a rating or not observed."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Who you observed",
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the person you observed.",
            "invalid_choice": "You can observe only people in your reporting line.",
        },
    )
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Pick a customer of your company from the list."},
    )
    channel = forms.ChoiceField(
        label="Channel",
        choices=Channel.choices,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose phone, e-mail, meeting or ticket.",
            "invalid_choice": "Choose phone, e-mail, meeting or ticket.",
        },
    )
    observed_on = forms.DateField(
        label="Date of the conversation",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Give the date of the conversation.",
            "invalid": "Give the date as year-month-day, e.g. 2025-03-14.",
        },
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What went well, and one thing to try next time.",
    )

    def __init__(
        self, *args, observer: Person, items: list[ScorecardItem], self_assessment=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.observer = observer
        self.items = items
        self.today = org_scope.company_today(observer.company)
        self.fields["observed_on"].widget.attrs["max"] = self.today.isoformat()
        self.fields["customer"].queryset = Customer.objects.filter(company=observer.company_id)
        if self_assessment:
            del self.fields["person"]
        else:
            self._limit_person_options(selectors.observable_people(observer=observer))
        for item, name in zip(items, short_names(items), strict=True):
            self.fields[rating_field(item)] = forms.ChoiceField(
                label=name,
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose a rating, or “Not observed”.",
                    "invalid_choice": "A rating is 1, 2, 3, 4 or not observed.",
                },
            )

    def _limit_person_options(self, people):
        """Every observable person is a valid choice, but a drop-down of a whole big company is
        useless: beyond MAX_PERSON_OPTIONS only the person already chosen is offered."""
        field = self.fields["person"]
        field.queryset = people.order_by("name", "pk")
        self.too_many_people = people.count() > selectors.MAX_PERSON_OPTIONS
        if self.too_many_people:
            chosen = self.data.get("person") if self.is_bound else self.initial.get("person")
            shown = people.filter(pk=chosen) if str(chosen or "").isdigit() else people.none()
            field.widget.choices = [("", field.empty_label)] + [(p.pk, p.name) for p in shown]

    def clean_observed_on(self):
        day = self.cleaned_data["observed_on"]
        if day > self.today:
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def rating_fields(self):
        """(item, bound field) pairs, in the scorecard's order, for the template."""
        return [(item, self[rating_field(item)]) for item in self.items]

    def ratings(self) -> dict[int, int | None]:
        return {
            item.pk: None
            if self.cleaned_data[rating_field(item)] == NOT_OBSERVED
            else int(self.cleaned_data[rating_field(item)])
            for item in self.items
        }


class TeamForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the teams in the list."},
    )

    def __init__(self, *args, viewer: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.team_choices(viewer=viewer)


class ScorecardItemForm(forms.Form):
    """One row of the scorecard editor; ``item`` is the id of an existing item, empty when new."""

    item = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    skill = forms.ChoiceField(
        label="Step",
        choices=[],
        error_messages={
            "required": "Choose the playbook step this behaviour shows.",
            "invalid_choice": "Choose one of the playbook's steps.",
        },
    )
    behaviour = forms.CharField(
        label="Behaviour an observer can see or hear",
        max_length=MAX_BEHAVIOUR_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe what an observer sees or hears."},
    )

    def __init__(self, *args, skill_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "Choose a step"), *skill_choices]


class _ScorecardFormSet(forms.BaseFormSet):
    def get_ordering_widget(self):
        return forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})


ScorecardFormSet = forms.formset_factory(
    ScorecardItemForm,
    formset=_ScorecardFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=30,
    validate_max=True,
    absolute_max=60,
)
