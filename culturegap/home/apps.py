from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "culturegap.home"
    label = "home"
    verbose_name = "Today"
