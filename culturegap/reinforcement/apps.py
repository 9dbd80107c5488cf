from django.apps import AppConfig


class ReinforcementConfig(AppConfig):
    name = "culturegap.reinforcement"
    label = "reinforcement"
    verbose_name = "Reinforcement"

    def ready(self) -> None:
        from culturegap.reinforcement import receivers

        receivers.connect()
