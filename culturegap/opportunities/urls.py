from django.urls import path

from culturegap.opportunities import views

app_name = "opportunities"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("export.csv", views.opportunity_export, name="export"),
    path("record/", views.record, name="record"),
    path("record/customers/", views.customer_search, name="customer_search"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/move/", views.opportunity_move, name="move"),
    path("<int:pk>/take/", views.opportunity_take, name="take"),
    path("<int:pk>/assign/", views.opportunity_assign, name="assign"),
]
