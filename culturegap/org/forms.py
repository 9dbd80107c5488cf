"""Forms of the organisation pages."""

from django import forms

from culturegap.org.models import Service


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["code", "name", "annual_value"]
        help_texts = {"code": "Short code used in customer CSV files, e.g. TAX-PERS."}

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.instance.company = company

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        taken = Service.objects.filter(company=self.company, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"Another service already uses the code {code}.")
        return code

    def clean_annual_value(self):
        value = self.cleaned_data["annual_value"]
        if value < 0:
            raise forms.ValidationError("The annual value cannot be negative.")
        return value
