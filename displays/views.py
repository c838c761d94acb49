"""The full-screen pages the LED walls open."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from booth.http import stored_file_response
from displays import selectors, services
from displays.commentary import commentary_state, sports_experience


def display(request: HttpRequest, number: int) -> HttpResponse:
    current = selectors.active_display(number)
    if current is None:
        return render(request, "displays/missing.html", {"number": number}, status=404)
    return render(
        request,
        "displays/display.html",
        {"display": current, "initial_state": services.display_state(current)},
    )


def default_image(request: HttpRequest, number: int) -> FileResponse:
    current = selectors.active_display(number)
    image = current.default_image_file() if current else None
    if not image:
        raise Http404("This display has no default image.")
    response = stored_file_response(image, private=False)
    response["Cache-Control"] = "public, max-age=300"
    return response


def commentary(request: HttpRequest) -> HttpResponse:
    """The live commentary wall: feed, current speed, top 10 (`?experience=<id>` to pick)."""
    wanted = request.GET.get("experience", "")
    experience = sports_experience(int(wanted) if wanted.isdigit() else None)
    if experience is None:
        return render(request, "displays/commentary_missing.html", status=404)
    return render(
        request,
        "displays/commentary.html",
        {"experience": experience, "initial_state": commentary_state(experience)},
    )
