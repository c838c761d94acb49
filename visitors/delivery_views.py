"""What a visitor takes home besides the portrait: the narrated story and an email.

Both hang off the result link like the portrait itself (`result_link`: the token is the
key, an erased result answers 410), and stay out of the result page's own view so that
page can be cached: the email form, which needs a CSRF cookie, is a page of its own.
"""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from experiences.photo.portrait_email import request_email
from kernel.http import keep_private, ranged_file_response
from kernel.throttling import EMAIL_THROTTLES, refusal, result_rate_limited
from visitors.views import (
    DELETE_PAGE_REFERRER_POLICY,
    RESULT_FILE_MAX_AGE,
    _portrait_or_404,
    result_link,
)

AUDIO_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg"}


@result_rate_limited
@result_link
def result_narration(request: HttpRequest, token: str) -> HttpResponse:
    """The story read aloud, with byte ranges (Safari plays no audio without them)."""
    narration = _portrait_or_404(token).job.narration
    if narration is None or not narration.file.name:
        raise Http404("This result has no narration.")
    extension = narration.file.name.rsplit(".", 1)[-1].lower()
    return ranged_file_response(
        request,
        narration.file,
        content_type=AUDIO_TYPES.get(extension, "application/octet-stream"),
        max_age=RESULT_FILE_MAX_AGE,
    )


class EmailForm(forms.Form):
    address = forms.EmailField(
        max_length=254,
        label=_("Your email address"),
        error_messages={
            "required": _("Type the email address to send your portrait to."),
            "invalid": _("This is not an email address: check it, e.g. name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


@result_rate_limited
@result_link
@require_http_methods(["GET", "POST"])
def result_email(request: HttpRequest, token: str) -> HttpResponse:
    """ "Email me my portrait": a form for one address, used for one email, not kept.

    A bad address is a 400 with the form and a sentence; past the limits per result and
    per address (BOOTH_RATE_LIMITS email_result, email_address) a 429 that says how long
    to wait. The referrer policy is the delete page's, for the same CSRF reason.
    """
    asset = _portrait_or_404(token)
    form = EmailForm(request.POST if request.method == "POST" else None)
    status, sent = 200, False
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            refused = refusal(request, *EMAIL_THROTTLES)
            if refused is not None:
                return keep_private(refused)
            request_email(asset, form.cleaned_data["address"])
            sent = True
    response = keep_private(
        render(
            request,
            "experiences/result_email.html",
            {
                "asset": asset,
                "form": form,
                "sent": sent,
                "referrer_policy": DELETE_PAGE_REFERRER_POLICY,
            },
            status=status,
        )
    )
    response["Referrer-Policy"] = DELETE_PAGE_REFERRER_POLICY
    return response
