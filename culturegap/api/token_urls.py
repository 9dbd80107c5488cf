"""Pages where a person creates and revokes their personal API tokens."""

app_name = "tokens"

urlpatterns: list = []
