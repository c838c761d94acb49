"""The full-screen pages the LED walls open, and the staff control and status pages."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from displays import control, selectors, services, status
from displays.forms import ControlForm
from displays.models import ControlAction, Display
from experiences.sports.feed import commentary_state, sports_experience
from kernel.admin_site import staff_required
from kernel.http import stored_file_response

WALL_COLUMNS = 4


def display(request: HttpRequest, number: int) -> HttpResponse:
    current = selectors.active_display(number)
    if current is None:
        return render(request, "displays/missing.html", {"number": number}, status=404)
    return render(
        request,
        "displays/display.html",
        {
            "display": current,
            "initial_state": services.full_state(current),
            "client": services.client_config(),
        },
    )


def wall(request: HttpRequest) -> HttpResponse:
    """Every display of the active event at once, each tile a live screen of its own."""
    displays = list(
        selectors.event_displays().select_related("current_asset__job__capture__player")
    )
    attract = services.attract_payload(displays[0].event_id) if displays else []
    screens = [
        {
            "display": d,
            "state": services.display_state(d, attract),
            "state_id": f"display-state-{d.number}",
        }
        for d in displays
    ]
    columns = min(WALL_COLUMNS, max(1, len(screens)))
    rows = max(1, -(-len(screens) // columns))
    return render(
        request,
        "displays/wall.html",
        {
            "screens": screens,
            "columns": columns,
            "rows": rows,
            "client": services.client_config(),
        },
        status=200 if screens else 404,
    )


def default_image(request: HttpRequest, number: int) -> FileResponse:
    current = selectors.active_display(number)
    image = current.default_image_file() if current else None
    if not image:
        raise Http404("This display has no default image.")
    return stored_file_response(image, private=False, max_age=300)


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


ACTIONS = {
    "set_mode": lambda displays, data, **who: control.set_mode(displays, data["mode"], **who),
    "push_asset": lambda displays, data, **who: control.push_asset(displays, data["asset"], **who),
    "refresh": lambda displays, data, **who: control.force_refresh(displays, **who),
    "reload": lambda displays, data, **who: control.reload_pages(displays, **who),
}


@staff_required("displays.change_display")
@require_http_methods(["GET", "POST"])
def control_panel(request: HttpRequest) -> HttpResponse:
    """Per display and all at once: set mode, push a result, force refresh, reload."""
    form = ControlForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = ACTIONS[data["action"]](
                    data["target"], data, by=request.user, via="control page"
                )
            except control.ControlError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Done: {action}.")
                return redirect("display-control")
        return _control_page(request, form, code=400)
    return _control_page(request, form)


def _control_page(request: HttpRequest, form: ControlForm, code: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "snapshot": status.snapshot(),
        "modes": Display.Mode.choices,
        "results": selectors.pushable_results(),
        "recent_actions": ControlAction.objects.all()[:15],
    }
    return render(request, "displays/control.html", context, status=code)


@staff_required("displays.view_display")
def status_page(request: HttpRequest) -> HttpResponse:
    """Jobs of the last hour, stage timings, queue depth and displays online, live."""
    return render(request, "displays/status.html", {"snapshot": status.snapshot()})
