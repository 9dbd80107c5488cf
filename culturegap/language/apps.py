from django.apps import AppConfig


class LanguageConfig(AppConfig):
    name = "culturegap.language"
    label = "language"
    verbose_name = "Common language"
