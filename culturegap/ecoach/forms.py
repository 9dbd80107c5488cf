"""The eCoach's forms: a question, a coach's answer, the threshold."""

from django import forms

from culturegap.ecoach.services import MAX_ANSWER, MAX_PUBLISHED_QUESTION, MAX_QUESTION


class AskForm(forms.Form):
    q = forms.CharField(
        label="Your question",
        max_length=MAX_QUESTION,
        error_messages={
            "required": "Type a question for the eCoach.",
            "max_length": f"Keep the question under {MAX_QUESTION} characters.",
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class AskCoachForm(forms.Form):
    asked = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        max_length=MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": "Write the answer."},
    )
    published_question = forms.CharField(
        label="The question as others will find it",
        max_length=MAX_PUBLISHED_QUESTION,
        required=False,
        help_text="Optional: tidy the wording (no names) for the knowledge base.",
    )
    publish = forms.BooleanField(
        label="Add to the knowledge base, so the eCoach answers the next person who asks",
        required=False,
        initial=True,
    )


class ThresholdForm(forms.Form):
    threshold = forms.FloatField(
        label="Confidence needed to answer (0–1)",
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
