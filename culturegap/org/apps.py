from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "culturegap.org"
    label = "org"
    verbose_name = "Organisation"
