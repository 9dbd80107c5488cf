from django.urls import path

from culturegap.loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("pool/", views.pool, name="pool"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("estimator/", views.estimator, name="estimator"),
    path("s/<str:token>/", views.survey, name="survey"),
]
