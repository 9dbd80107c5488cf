from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "culturegap.demo"
    label = "demo"
    verbose_name = "Demo company"
