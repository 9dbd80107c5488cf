from django.urls import path

from culturegap.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.home, name="home"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/download/", views.export_table, name="export_table"),
    path("import/purchases/", views.purchases_import, name="import_purchases"),
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/<int:pk>/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/secret/", views.webhook_secret, name="webhook_secret"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("webhooks/deliveries/", views.delivery_list, name="delivery_list"),
    path("webhooks/deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
    path("xapi/", views.xapi_page, name="xapi"),
    path("xapi/send/", views.xapi_send, name="xapi_send"),
    path("xapi/statements.json", views.xapi_export, name="xapi_export"),
]
