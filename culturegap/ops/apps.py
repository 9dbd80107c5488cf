from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "culturegap.ops"
    label = "ops"
    verbose_name = "Operations"
