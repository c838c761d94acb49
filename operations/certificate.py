"""Installing the booth's local CA on a tablet: the staff page that explains it, and the
certificate itself.

`serve --https` signs its certificate with a CA of its own (kernel/tls.py). A tablet that
trusts that CA gets a secure context, hence the camera. The CA certificate is public (it
holds no key), so anyone may download it; the page with the steps is for staff.
"""

import base64

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from experiences.photo.qr import qr_png
from kernel.tls import ca_fingerprint, tls_files


def ca_certificate(request: HttpRequest) -> HttpResponse:
    """The CA certificate, as Android and iPadOS install it (PEM, x-x509-ca-cert)."""
    files = tls_files(settings.BOOTH_TLS_DIR)
    if not files.ca_cert.exists():
        raise Http404("This booth has no local CA: it is not served with --https.")
    response = HttpResponse(files.ca_cert.read_bytes(), content_type="application/x-x509-ca-cert")
    response["Content-Disposition"] = 'attachment; filename="booth-ca.crt"'
    return response


@admin.site.admin_view
def certificate_page(request: HttpRequest) -> HttpResponse:
    """A QR code to the CA certificate and the steps to trust it on Android and iPadOS."""
    files = tls_files(settings.BOOTH_TLS_DIR)
    context: dict = {"has_ca": files.ca_cert.exists()}
    if context["has_ca"]:
        download = settings.PUBLIC_BASE_URL + reverse("ca-certificate")
        context |= {
            "download": download,
            "qr": base64.b64encode(qr_png(download, box_size=6)).decode(),
            "fingerprint": ca_fingerprint(files),
            "tablet": settings.PUBLIC_BASE_URL + reverse("tablet"),
        }
    return render(request, "booth/certificate.html", context)
