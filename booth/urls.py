from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView

from booth import health, icons
from booth.api_docs import StaffSwaggerView
from displays import media_views
from displays import views as display_views
from experiences.sports import api as sports_api
from kernel import admin as kernel_admin
from kernel.converters import EventIdConverter, PublicTokenConverter
from operations import certificate, dashboard_views, metrics, preflight_views, report_views
from visitors import api as visitor_api
from visitors import delivery_views, device_sessions, replay_views, resume_views, views

register_converter(PublicTokenConverter, "token")
register_converter(EventIdConverter, "event_id")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links: the icon is a static file.
    path("favicon.ico", icons.favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", views.home, name="home"),
    path("tablet/", views.tablet, name="tablet"),
    path("accounts/login/", device_sessions.StationLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "api/stations/<int:number>/captures/",
        visitor_api.CaptureCreateView.as_view(),
        name="api-capture",
    ),
    path(
        "api/stations/<int:number>/session/",
        visitor_api.StationSessionView.as_view(),
        name="api-station-session",
    ),
    path(
        "api/stations/<int:number>/companies/",
        visitor_api.CompanyMatchesView.as_view(),
        name="api-companies",
    ),
    path("api/jobs/<int:pk>/", visitor_api.JobStatusView.as_view(), name="api-job"),
    path("api/shots/", sports_api.ShotCreateView.as_view(), name="api-shots"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", StaffSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("displays/commentary/", display_views.commentary, name="commentary"),
    path("displays/wall/", display_views.wall, name="display-wall"),
    path("displays/control/", display_views.control_panel, name="display-control"),
    path("displays/status/", display_views.status_page, name="display-status"),
    path("staff/aws-preflight/", preflight_views.aws_preflight_page, name="aws-preflight"),
    path("displays/<int:number>/", display_views.display, name="display"),
    path(
        "displays/<int:number>/default-image",
        display_views.default_image,
        name="display-default-image",
    ),
    path("displays/media/<str:signed>", media_views.display_media, name="display-media"),
    path("r/<token:token>/", views.result, name="result"),
    path("r/<token:token>/image.jpg", views.result_image, name="result-image"),
    path(
        "r/<token:token>/image-<int:width>.webp", views.result_image_webp, name="result-image-webp"
    ),
    path("r/<token:token>/qr.png", views.result_qr, name="result-qr"),
    path("r/<token:token>/download", views.result_download, name="result-download"),
    path("r/<token:token>/resume.pdf", resume_views.result_resume_pdf, name="result-resume-pdf"),
    path("r/<token:token>/delete", views.result_delete, name="result-delete"),
    path(
        "r/<token:token>/narration",
        delivery_views.result_narration,
        name="result-narration",
    ),
    path("r/<token:token>/email/", delivery_views.result_email, name="result-email"),
    path(
        "admin/files/<slug:kind>/<int:pk>",
        kernel_admin.stored_file,
        name="staff-file",
    ),
    path("replays/<token:token>/", replay_views.replay_page, name="replay"),
    path("replays/<token:token>/status", replay_views.replay_status, name="replay-status"),
    path("replays/<token:token>/qr.png", replay_views.replay_qr, name="replay-qr"),
    path(
        "api/shots/<event_id:event_id>/clip", sports_api.ClipUploadView.as_view(), name="api-clip"
    ),
    path("replays/<token:token>/<str:version>.mp4", replay_views.replay_video, name="replay-video"),
    path("staff/certificate/", certificate.certificate_page, name="staff-certificate"),
    path("staff/dashboard/", dashboard_views.dashboard_fragment, name="staff-dashboard"),
    path("staff/report/", report_views.report_page, name="event-report"),
    path("staff/report.csv", report_views.report_download, name="event-report-csv"),
    path("tls/booth-ca.crt", certificate.ca_certificate, name="ca-certificate"),
    path("admin/", admin.site.urls),
]

handler400 = "booth.errors.bad_request"
handler404 = "booth.errors.page_not_found"
handler500 = "booth.errors.server_error"
