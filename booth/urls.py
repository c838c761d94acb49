from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from booth import health
from displays import views as display_views
from experiences import api, replay_views, views
from moderation import views as moderation_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", views.home, name="home"),
    path("tablet/", views.tablet, name="tablet"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "api/stations/<int:number>/captures/", api.CaptureCreateView.as_view(), name="api-capture"
    ),
    path("api/jobs/<int:pk>/", api.JobStatusView.as_view(), name="api-job"),
    path("api/shots/", api.ShotCreateView.as_view(), name="api-shots"),
    path("displays/commentary/", display_views.commentary, name="commentary"),
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
    path("replays/<str:token>/", replay_views.replay_page, name="replay"),
    path("replays/<str:token>/status", replay_views.replay_status, name="replay-status"),
    path("replays/<str:token>/qr.png", replay_views.replay_qr, name="replay-qr"),
    path("api/shots/<str:event_id>/clip", api.ClipUploadView.as_view(), name="api-clip"),
    path("replays/<str:token>/<str:version>.mp4", replay_views.replay_video, name="replay-video"),
    path("admin/", admin.site.urls),
]
