"""The project's URL map: one include per capability."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from culturegap.home import views as home_views
from culturegap.org.access import public
from culturegap.training.authoring import authoring_site

# Auth views are wrapped with ``public`` so the permission-matrix test knows they are open.
auth_patterns = [
    path("login/", public(auth_views.LoginView.as_view()), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password-reset/",
        public(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", home_views.today, name="today"),
    path("healthz/me", home_views.me, name="me"),
    path("how-computed/", home_views.methods, name="methods"),
    path("accounts/", include(auth_patterns)),
    path("org/", include("culturegap.org.urls")),
    path("playbook/", include("culturegap.language.urls")),
    path("learn/", include("culturegap.training.urls")),
    path("opportunities/", include("culturegap.opportunities.urls")),
    path("loyalty/", include("culturegap.loyalty.urls")),
    path("drill/", include("culturegap.reinforcement.urls")),
    path("coaching/", include("culturegap.coaching.urls")),
    path("ecoach/", include("culturegap.ecoach.urls")),
    path("culture/", include("culturegap.culture.urls")),
    path("dashboard/", include("culturegap.dashboard.urls")),
    path("integrations/", include("culturegap.integrations.urls")),
    path("api/v1/", include("culturegap.api.urls")),
    path("tokens/", include("culturegap.api.token_urls")),
    path("", include("culturegap.ops.urls")),
    path("author/", authoring_site.urls),
    path("django-admin/", admin.site.urls),
]
