from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "culturegap.dashboard"
    label = "dashboard"
    verbose_name = "Executive dashboard"
