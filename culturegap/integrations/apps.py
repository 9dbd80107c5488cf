from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "culturegap.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from culturegap.integrations import receivers

        receivers.connect()
