from django.urls import path

from culturegap.opportunities import views

app_name = "opportunities"

urlpatterns = [
    path("<int:pk>/", views.opportunity_detail, name="detail"),
]
