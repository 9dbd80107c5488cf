"""Forms of the culture pages: one person's answer, opening a wave, own statements, targets and
the results' choice of wave."""

import datetime

from django import forms

from culturegap.culture.models import Dimension, Wave
from culturegap.measures import culture as measure

SCALE = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]
OPEN_ANSWER_MAX_LENGTH = 2000
SCORE_ERROR = "Choose a score from 1 to 5."


class AnswerForm(forms.Form):
    """One radio group per statement the wave asks (field name = statement key), and the open
    question."""

    def __init__(self, *args, wave: Wave, **kwargs):
        super().__init__(*args, **kwargs)
        self.wave = wave
        for number, item in enumerate(wave.statements, start=1):
            field = forms.TypedChoiceField(
                label=item["text"],
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": SCORE_ERROR, "invalid_choice": SCORE_ERROR},
            )
            field.number = number
            field.dimension = item["dimension"]
            self.fields[item["key"]] = field
        self.fields["open_answer"] = forms.CharField(
            label=wave.open_question,
            required=False,
            max_length=OPEN_ANSWER_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def sections(self):
        """(dimension label, bound fields) in the order of the dimensions."""
        labels = dict(Dimension.choices)
        return [
            (
                labels[dimension],
                [
                    self[name]
                    for name, field in self.fields.items()
                    if getattr(field, "dimension", None) == dimension
                ],
            )
            for dimension in measure.DIMENSIONS
        ]

    def scores(self) -> dict[str, int]:
        return {item["key"]: self.cleaned_data[item["key"]] for item in self.wave.statements}


def default_wave_name(today: datetime.date) -> str:
    return f"Culture survey {today:%B %Y}"


class WaveOpenForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name of the wave")


class StatementForm(forms.Form):
    dimension = forms.ChoiceField(choices=Dimension.choices)
    text = forms.CharField(
        max_length=300,
        label="Statement",
        help_text="Written so that people can agree or disagree with it, e.g. “Our teams share "
        "what customers tell them.”",
    )


class TargetsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Dimension.choices:
            self.fields[value] = forms.DecimalField(
                label=label,
                min_value=1,
                max_value=5,
                max_digits=3,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            )


class ResultsForm(forms.Form):
    wave = forms.ModelChoiceField(
        queryset=Wave.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the waves listed."},
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = Wave.objects.filter(company=company).order_by(
            "-opened_on", "-pk"
        )
