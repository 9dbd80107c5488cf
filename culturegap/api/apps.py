from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "culturegap.api"
    label = "api"
    verbose_name = "JSON API"
