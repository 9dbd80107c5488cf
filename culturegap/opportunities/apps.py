from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "culturegap.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"
