"""Admin actions that ask first: an intermediate page lists what the action will touch,
asks for anything it needs (a reason), and only a second, confirmed POST applies it."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


@dataclass
class Item:
    """One line of the confirmation page."""

    label: str
    details: list[str] = field(default_factory=list)
    thumbnail: str = ""


def confirmed_action(
    modeladmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    intro: str,
    button: str,
    items: Callable[[QuerySet], list[Item]],
    apply: Callable[[QuerySet, dict], str],
    form_class: type[forms.Form] | None = None,
) -> TemplateResponse | None:
    """Run `apply(queryset, cleaned_data)` once confirmed, else show the confirmation page.

    `apply` returns the message shown to the staff member afterwards.
    """
    confirming = request.POST.get("confirm") == "yes"
    form = form_class(request.POST if confirming else None) if form_class else None
    if confirming and (form is None or form.is_valid()):
        modeladmin.message_user(
            request, apply(queryset, form.cleaned_data if form else {}), messages.SUCCESS
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "button": button,
        "items": items(queryset),
        "form": form,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/moderation/confirm_action.html", context)
