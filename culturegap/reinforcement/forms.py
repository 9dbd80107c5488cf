"""Forms of the reinforcement pages: a drill answer, a vacation hold, e-mail choices, settings."""

import datetime
import uuid

from django import forms
from django.core import signing

from culturegap.reinforcement.models import ReinforcementSettings

# A drill question left open longer than this is shown again rather than recorded.
TOKEN_MAX_AGE = datetime.timedelta(hours=12)
_SALT = "culturegap.reinforcement.drill-question"


def question_token(*, card_id: int, drill_id: int | None, shown_at: datetime.datetime) -> str:
    """A signed token naming the card on screen, its drill, when it was shown and a fresh
    request id: the server measures the response time itself, and a double click sends the
    same request id twice."""
    return signing.dumps(
        {
            "card": card_id,
            "drill": drill_id,
            "shown": shown_at.timestamp(),
            "request": str(uuid.uuid4()),
        },
        salt=_SALT,
        compress=True,
    )


class DrillAnswerForm(forms.Form):
    CONFIDENCE = [("", "Not said"), ("sure", "I'm sure"), ("guess", "I'm guessing")]

    token = forms.CharField(max_length=400)
    option = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose one of the answers."}
    )
    confidence = forms.ChoiceField(choices=CONFIDENCE, required=False)

    def clean_token(self) -> dict:
        try:
            data = signing.loads(
                self.cleaned_data["token"], salt=_SALT, max_age=TOKEN_MAX_AGE.total_seconds()
            )
            return {
                "card": int(data["card"]),
                "drill": None if data["drill"] is None else int(data["drill"]),
                "shown": datetime.datetime.fromtimestamp(float(data["shown"]), datetime.UTC),
                "request": uuid.UUID(data["request"]),
            }
        except signing.SignatureExpired as error:
            raise forms.ValidationError(
                "This question was opened too long ago; here it is again."
            ) from error
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise forms.ValidationError(
                "This answer could not be read; please try again."
            ) from error

    @property
    def confident(self) -> bool | None:
        return {"sure": True, "guess": False}.get(self.cleaned_data.get("confidence") or "")


class DateInput(forms.DateInput):
    input_type = "date"


class HoldForm(forms.Form):
    starts_on = forms.DateField(label="First day away", widget=DateInput)
    ends_on = forms.DateField(label="Last day away", widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The last day must be on or after the first day.")
        return data


class PreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(
        required=False, label="A morning e-mail when a drill or a lesson is waiting"
    )
    weekly_alert = forms.BooleanField(
        required=False,
        label="Managers: a Monday e-mail naming people below the retention threshold or "
        "overdue on a curriculum",
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ReinforcementSettings
        fields = ["drill_size", "desired_retention", "alert_threshold", "digest_hour"]
        widgets = {
            "desired_retention": forms.NumberInput(attrs={"step": "0.01"}),
            "alert_threshold": forms.NumberInput(attrs={"step": "0.01"}),
        }
