from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from displays import views as display_views
from experiences import api, views
from moderation import views as moderation_views

urlpatterns = [
    path("", views.home, name="home"),
    path("tablet/", views.tablet, name="tablet"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "api/stations/<int:number>/captures/", api.CaptureCreateView.as_view(), name="api-capture"
    ),
    path("api/jobs/<int:pk>/", api.JobStatusView.as_view(), name="api-job"),
    path("displays/wall/", display_views.wall, name="display-wall"),
    path("displays/control/", display_views.control_panel, name="display-control"),
    path("displays/status/", display_views.status_page, name="display-status"),
    path("displays/<int:number>/", display_views.display, name="display"),
    path(
        "displays/<int:number>/default-image",
        display_views.default_image,
        name="display-default-image",
    ),
    path("r/<str:token>/", views.result, name="result"),
    path("r/<str:token>/image.jpg", views.result_image, name="result-image"),
    path("r/<str:token>/qr.png", views.result_qr, name="result-qr"),
    path("r/<str:token>/download", views.result_download, name="result-download"),
    path("r/<str:token>/delete", views.result_delete, name="result-delete"),
    path(
        "admin/files/<slug:kind>/<int:pk>",
        moderation_views.stored_file,
        name="staff-file",
    ),
    path("admin/", admin.site.urls),
]
