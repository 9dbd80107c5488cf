from django.apps import AppConfig


class ReinforcementConfig(AppConfig):
    name = "culturegap.reinforcement"
    label = "reinforcement"
    verbose_name = "Reinforcement"
