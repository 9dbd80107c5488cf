from django.urls import path

from culturegap.org import import_views, views

app_name = "org"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_edit, name="service_edit"),
    path("import/people/", import_views.import_people, name="import_people"),
    path("import/customers/", import_views.import_customers, name="import_customers"),
]
