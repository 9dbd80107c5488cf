"""Pages where a person creates and revokes their personal API tokens."""

from django.urls import path

from culturegap.api import views

app_name = "tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
