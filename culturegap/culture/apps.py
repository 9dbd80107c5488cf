from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "culturegap.culture"
    label = "culture"
    verbose_name = "Culture gap"
