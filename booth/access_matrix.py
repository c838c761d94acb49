"""Who can reach what: the authorisation matrix of every URL and websocket route.

The one place the policy is written down. tests/booth/test_access_matrix.py walks Django's
URL resolver (admin included) and the websocket routes, fails for any route without a row
here, and checks every row against real requests for every role. docs/authorisation.md is
rendered from this module (`python -m booth.access_matrix > docs/authorisation.md`), and a
test keeps the two equal.

An outcome is an HTTP status ("200", "404"…), "302 login" / "302 admin login" (redirected
to the tablet or the admin login), or for a websocket "accept" or "close <code>". A device
cell may read "201 · other station 403": the device account on its own station, then on
another station.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES: dict[str, str] = {
    "anonymous": "no login, no link",
    "visitor": "holds a result or replay link (the 192-bit token in it is the key)",
    "device": "a tablet's device account (its own station; another station's after ·)",
    "display": "an LED wall or commentary page: no login, its socket is read-only",
    "integration": "`Authorization: Bearer` token with the shots and clips scopes",
    "staff": "a staff account with no model permissions yet (what any staff member gets)",
    "superuser": "a superuser",
}

OTHER_STATION = " · other station "


@dataclass(frozen=True)
class Route:
    """One route: how it is requested and what each role gets."""

    pattern: str
    method: str
    expect: dict[str, str]
    why: str
    # Which sample fills a path parameter when the name alone is ambiguous, e.g.
    # {"token": "replay"} for a replay link.
    samples: dict[str, str] = field(default_factory=dict)
    path: str = ""  # for regex patterns: the path to request


def outcomes(default: str, **by_role: str) -> dict[str, str]:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


def own(mine: str, other: str) -> str:
    return f"{mine}{OTHER_STATION}{other}"


def token_only(ok: str = "200") -> dict[str, str]:
    """A page behind a result or replay link: only its holder; everyone else gets 404,
    logins included (a login is no key to a visitor's photo)."""
    return outcomes("404", visitor=ok)


STAFF_ONLY = outcomes("302 admin login", staff="200", superuser="200")
INTEGRATION_ONLY = {"staff", "superuser"}


STAFF_WITH_PERMISSION = outcomes("302 admin login", staff="403", superuser="200")

HTTP_ROUTES: list[Route] = [
    Route("", "GET", outcomes("200"), "start page: links to the tablet and the displays"),
    Route("favicon.ico", "GET", outcomes("301"), "the site icon: a redirect to its static file"),
    Route(
        "metrics",
        "GET",
        outcomes("401", staff="403", superuser="200"),
        "Prometheus metrics: a scraper with `Bearer BOOTH_METRICS_TOKEN`, or staff with the "
        "view display permission",
    ),
    Route("healthz", "GET", outcomes("200"), "liveness for load balancers: says nothing else"),
    Route(
        "readyz",
        "GET",
        outcomes("200"),
        "readiness for load balancers (database, Redis, storage); rate-limited per address",
    ),
    Route(
        "tablet/",
        "GET",
        outcomes("302 login", device="200", staff="403", superuser="403"),
        "the tablet page: device accounts only; a staff login is not a tablet",
    ),
    Route("accounts/login/", "GET", outcomes("200"), "the tablets' login page (django-axes)"),
    Route("accounts/logout/", "POST", outcomes("302"), "logs out whoever asks"),
    Route("i18n/setlang/", "POST", outcomes("302"), "language switch"),
    Route(
        "api/stations/<int:number>/captures/",
        "POST",
        outcomes("403", device=own("201", "403")),
        "capture upload: a device account, for its own station only; rate-limited per "
        "device and per address",
    ),
    Route(
        "api/stations/<int:number>/session/",
        "POST",
        outcomes("403", device=own("200", "403")),
        "the tablet checks in and its device session is renewed: a device account, for its "
        "own station only",
    ),
    Route(
        "api/stations/<int:number>/companies/",
        "GET",
        outcomes("403", device=own("200", "403")),
        "the résumé experience's three companies for an MBTI type: a device account, for its "
        "own station; stores nothing",
    ),
    Route(
        "api/jobs/<int:pk>/",
        "GET",
        outcomes("403", device=own("200", "403"), staff="200", superuser="200"),
        "job status for a reconnecting tablet: its own station's jobs, or staff",
    ),
    Route(
        "api/shots/",
        "POST",
        outcomes("401", integration="201"),
        "the sensor's shots: an integration token with the shots scope, no login of any "
        "kind; rate-limited per token and per address",
    ),
    Route(
        "api/shots/<event_id:event_id>/clip",
        "POST",
        outcomes("401", integration="400"),
        "the kick camera's clips: a token with the clips scope (400: the test sends no "
        "file, so the request got past authorisation)",
    ),
    Route(
        "api/schema/",
        "GET",
        outcomes("200"),
        "the OpenAPI schema: public, it describes the API and holds no secret",
    ),
    Route(
        "api/docs/",
        "GET",
        STAFF_ONLY,
        "Swagger UI over the schema: staff as admin decides (2FA included)",
    ),
    Route("displays/commentary/", "GET", outcomes("200"), "commentary wall: public, read-only"),
    Route("displays/<int:number>/", "GET", outcomes("200"), "LED wall page: public, read-only"),
    Route("displays/wall/", "GET", outcomes("200"), "every wall at once: public, read-only"),
    Route(
        "displays/control/",
        "GET",
        STAFF_WITH_PERMISSION,
        "the walls' control panel: staff with the change display permission",
    ),
    Route(
        "displays/status/",
        "GET",
        STAFF_WITH_PERMISSION,
        "jobs, queue and displays online: staff with the view display permission",
    ),
    Route(
        "staff/aws-preflight/",
        "GET",
        STAFF_WITH_PERMISSION,
        "the last AWS preflight's checks: staff with the view preflight run permission",
    ),
    Route(
        "displays/<int:number>/default-image",
        "GET",
        outcomes("200"),
        "the wall's idle picture (no visitor in it)",
    ),
    Route(
        "displays/media/<str:signed>",
        "GET",
        outcomes("404", display="200"),
        "a picture or replay a wall shows, by a signed link that expires and names that one "
        "file (kernel/display_links.py); a QR only while its result is on a wall",
        samples={"signed": "display_media"},
    ),
    Route("r/<token:token>/", "GET", token_only(), "result page (no referrer, noindex)"),
    Route("r/<token:token>/image.jpg", "GET", token_only(), "the portrait"),
    Route(
        "r/<token:token>/image-<int:width>.webp",
        "GET",
        token_only(),
        "the portrait in WebP, sized for a phone or a wall",
    ),
    Route("r/<token:token>/qr.png", "GET", token_only(), "the result's QR code"),
    Route("r/<token:token>/download", "GET", token_only(), "portrait download"),
    Route(
        "r/<token:token>/resume.pdf",
        "GET",
        token_only("404"),
        "the résumé PDF (portrait and cover letter), stored by the job: only the link's "
        "holder, and only for a résumé result (the sample result here has no letter, so even "
        "its holder gets 404; tests/experiences/resume checks the 200 and the 410 after "
        "erasure)",
    ),
    Route(
        "r/<token:token>/delete",
        "GET",
        token_only(),
        "the visitor's erasure page: asks to confirm; referrer policy same-origin so the "
        "form post carries an Origin for the CSRF check",
    ),
    Route(
        "r/<token:token>/narration",
        "GET",
        token_only(),
        "the story read aloud (404 while a result has none), with byte ranges",
    ),
    Route(
        "r/<token:token>/email/",
        "GET",
        token_only(),
        "the 'email me my portrait' form (its own page, so the result page carries no CSRF "
        "form); posts are rate-limited per result and per address, the address is not kept",
    ),
    Route(
        "admin/files/<slug:kind>/<int:pk>",
        "GET",
        outcomes("302 admin login", staff="403", superuser="200"),
        "stored files for admin thumbnails: staff with the model's view permission",
    ),
    Route(
        "replays/<token:token>/", "GET", token_only(), "replay page", samples={"token": "replay"}
    ),
    Route(
        "replays/<token:token>/status",
        "GET",
        token_only(),
        "replay progress",
        samples={"token": "replay"},
    ),
    Route(
        "replays/<token:token>/qr.png",
        "GET",
        token_only(),
        "the replay's QR code",
        samples={"token": "replay"},
    ),
    Route(
        "replays/<token:token>/<str:version>.mp4",
        "GET",
        token_only(),
        "replay videos",
        samples={"token": "replay"},
    ),
    Route(
        "staff/certificate/",
        "GET",
        STAFF_ONLY,
        "steps and QR code to install the local CA on a tablet (`serve --https`): staff",
    ),
    Route(
        "staff/dashboard/",
        "GET",
        STAFF_WITH_PERMISSION,
        "the admin index's event dashboard as a fragment it polls to stay live: staff with the "
        "view display permission",
    ),
    Route(
        "staff/report/",
        "GET",
        STAFF_WITH_PERMISSION,
        "the event report (counts only, nothing personal): staff with the view event permission",
    ),
    Route(
        "staff/report.csv",
        "GET",
        STAFF_WITH_PERMISSION,
        "the event report as CSV: as above",
    ),
    Route(
        "tls/booth-ca.crt",
        "GET",
        outcomes("404"),
        "the local CA's certificate: public, it holds no key (404: no CA without --https)",
    ),
    # --- Django admin: every page behind admin_view (active staff; optional 2FA) --------
    Route("admin/", "GET", STAFF_ONLY, "admin index"),
    Route(
        "admin/login/",
        "GET",
        outcomes("200", staff="302", superuser="302"),
        "admin login (django-axes; TOTP when BOOTH_STAFF_2FA); staff already in go on",
    ),
    Route("admin/logout/", "POST", outcomes("302"), "admin logout: logs out whoever asks"),
    Route("admin/password_change/", "GET", STAFF_ONLY, "a staff member's own password"),
    Route("admin/password_change/done/", "GET", STAFF_ONLY, "after a password change"),
    Route(
        "admin/otp_totp/totpdevice/<int:pk>/config/",
        "GET",
        outcomes("302 admin login", staff="403", superuser="403"),
        "a TOTP secret: nobody reads it in admin (OTP_ADMIN_HIDE_SENSITIVE_DATA); "
        "`manage.py add_totp_device` shows it once",
        samples={"pk": "totp"},
    ),
    Route(
        "admin/otp_totp/totpdevice/<int:pk>/qrcode/",
        "GET",
        outcomes("302 admin login", staff="403", superuser="403"),
        "a TOTP secret's QR code: as above",
        samples={"pk": "totp"},
    ),
    Route(
        "admin/autocomplete/",
        "GET",
        outcomes("302 admin login", staff="403", superuser="403"),
        "autocomplete JSON (403 without a field it may search)",
    ),
    Route("admin/jsi18n/", "GET", STAFF_ONLY, "admin translations"),
    Route(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        "GET",
        outcomes("302 admin login", staff="404", superuser="404"),
        "'view on site' shortcut (no model of Booth has a public page)",
        samples={"object_id": "job"},
    ),
    Route(
        "admin/^(?P<app_label>auth|axes|otp_totp|django_tasks_database|experiences|displays"
        "|moderation)/$",
        "GET",
        outcomes("302 admin login", staff="404", superuser="200"),
        "an app's model list: only apps the staff member has permissions in",
        path="admin/experiences/",
    ),
    Route(
        "admin/(?P<url>.*)$",
        "GET",
        outcomes("302 admin login", staff="404", superuser="404"),
        "admin's catch-all: unknown admin pages",
        path="admin/no-such-page/",
    ),
]

# Every ModelAdmin view (changelist, add, change, delete, history; the old
# <object_id>/ address redirects to change): active staff with the model's permissions.
# The test checks each registered model's views with one of its rows.
ADMIN_MODEL_VIEW = outcomes("302 admin login", staff="403", superuser="200")
ADMIN_MODEL_REDIRECT = outcomes("302 admin login", staff="302", superuser="302")
# Where even a superuser is refused, on purpose: (URL name, outcome, why).
_LOG = "a log is written by Booth, never by hand"
_FILES = "erasing the player removes every row and file together (moderation/services.py)"
ADMIN_MODEL_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "admin:axes_accessattempt_add": ("403", "login attempts are recorded by django-axes"),
    "admin:axes_accesslog_add": ("403", _LOG),
    "admin:axes_accessfailurelog_add": ("403", _LOG),
    "admin:django_tasks_database_dbtaskresult_add": ("403", "tasks are enqueued by code"),
    "admin:django_tasks_database_dbtaskresult_delete": ("403", "task results are kept"),
    "admin:experiences_shot_add": ("403", "shots come from the sensor's API"),
    "admin:experiences_shot_delete": ("403", _FILES),
    "admin:experiences_commentaryline_add": ("403", "lines are written per shot"),
    "admin:experiences_leaderboardreset_add": ("403", "the experience's reset action logs it"),
    "admin:experiences_leaderboardreset_delete": ("403", _LOG),
    "admin:experiences_job_delete": ("403", _FILES),
    "admin:experiences_capture_delete": ("403", _FILES),
    "admin:experiences_asset_delete": ("403", _FILES),
    "admin:experiences_player_add": ("403", "players come from the tablets and the sensor"),
    "admin:moderation_consentrecord_add": ("403", "consent is given on the tablet"),
    "admin:moderation_consentrecord_delete": ("403", _FILES),
    "admin:moderation_result_add": ("403", "results come from jobs"),
    "admin:moderation_result_delete": ("403", "pull or reject it; erasure deletes"),
    "admin:moderation_erasurelog_add": ("403", _LOG),
    "admin:moderation_erasurelog_delete": ("403", "the audit log is kept"),
    "admin:displays_controlaction_add": ("403", "the control panel logs its commands"),
    "admin:displays_controlaction_delete": ("403", "the audit log is kept"),
}

WEBSOCKET_ROUTES: list[Route] = [
    Route(
        "ws/displays/<int:number>/",
        "WS",
        outcomes("accept"),
        "a wall's pushes; read-only (only pings are answered)",
    ),
    Route(
        "ws/stations/<int:number>/",
        "WS",
        outcomes("close 4403", device=own("accept", "close 4403")),
        "a tablet's job outcomes: its own station's device account only",
    ),
    Route(
        "ws/commentary/<int:experience>/",
        "WS",
        outcomes("accept"),
        "the commentary wall's pushes; read-only",
    ),
    Route(
        "ws/staff/status/",
        "WS",
        outcomes("close 4403", superuser="accept"),
        "the status page's live figures: staff with the view display permission (and a "
        "TOTP-verified session under BOOTH_STAFF_2FA)",
    ),
]


# --- Where visitors' link tokens go ------------------------------------------------------
# A result or replay token is the visitor's only key: with it anyone can open, download and
# delete the result. Every place one is sent, stored, logged or rendered, and why that is
# safe. tests/moderation/test_token_hygiene.py fails when a public socket message or a log
# line carries a live token.


@dataclass(frozen=True)
class TokenPlace:
    where: str
    how: str  # "sent", "stored", "logged", "rendered" or "never"
    why: str


TOKEN_PLACES: list[TokenPlace] = [
    TokenPlace(
        "QR code on a wall (the current result's) and on the commentary wall (newest replay)",
        "rendered",
        "the product: the visitor in front of the wall scans it. Served by a display link "
        "(`/displays/media/…`) whose URL names no token, only while that result is a "
        "display's current one (replay: the experience's newest); the attract loop shows "
        "portraits without QR codes",
    ),
    TokenPlace(
        "result page `/r/<token>/` and its image, download and delete links; replay page "
        "`/replays/<token>/` and its status and video links",
        "rendered",
        "to the token's holder only; `Referrer-Policy: no-referrer` (the delete page: "
        "`same-origin`, so its form post passes the CSRF check; no Referer leaves the site "
        "either way), `X-Robots-Tag: noindex`, private caching",
    ),
    TokenPlace(
        "QR code images: the result's QR asset file (media storage) and `/r/<token>/qr.png`, "
        "`/replays/<token>/qr.png`",
        "stored",
        "the QR PNG is the link; erased with the visitor's files",
    ),
    TokenPlace(
        "`experiences_asset.token`, `experiences_replay.token`",
        "stored",
        "plain, unique-indexed: the lookup key of `/r/…` and `/replays/…`; erased with the "
        "visitor (rows zeroed by SQLite's secure_delete, WAL checkpointed)",
    ),
    TokenPlace(
        "`moderation_erasedtoken.digest`",
        "stored",
        "SHA-256 of an erased token, so its link answers 410; not reversible",
    ),
    TokenPlace(
        "clip API response (`page_url`, `status_url`) to the kick camera",
        "sent",
        "to an integration with the clips scope (bearer token), which hands the replay link "
        "to its visitor",
    ),
    TokenPlace(
        "admin: asset and replay change pages (token field), the visitor search (`q=<token>`), "
        "asset names (`Portrait 1a2b3c4d…`, first 8 characters) in lists and admin history",
        "rendered",
        "staff with the model's view permission, to erase a visitor who brings their link; "
        "admin history entries go with the visitor's erasure",
    ),
    TokenPlace(
        "server log: request paths in Django's request and security warnings, the web "
        "server's messages",
        "logged",
        "masked to `/r/[token]` by booth.log_privacy.MaskLinkTokens on every handler; "
        "Django's default handlers are routed through it. The server's access log (uvicorn's "
        "or daphne's) is not enabled by `manage.py serve`; a proxy in front must mask its own "
        "logs",
    ),
    TokenPlace(
        "display, wall and commentary pages and sockets, the tablet's station socket and "
        "`/api/jobs/<id>/`, the status page",
        "never",
        "results are named by row id and pictures come by signed, expiring display links "
        "(kernel/display_links.py); a page's report of what it shows stores that id",
    ),
]


def _cells(route: Route) -> str:
    return " | ".join(route.expect[role] for role in ROLES)


def _row(route: Route) -> str:
    return f"| `/{route.path or route.pattern}` | {route.method} | {_cells(route)} | {route.why} |"


def render_markdown() -> str:
    """docs/authorisation.md, from the data above."""
    header = "| route | method | " + " | ".join(ROLES) + " | why |"
    rule = "| --- " * (len(ROLES) + 3) + "|"
    lines = [
        "# Who can reach what",
        "",
        "Generated from `booth/access_matrix.py` by `python -m booth.access_matrix > "
        "docs/authorisation.md`; `tests/booth/test_access_matrix.py` requests every route as "
        "every role and fails when a route has no row, so this table is what Booth does.",
        "",
        "Roles:",
        "",
        *[f"- **{role}**: {meaning}" for role, meaning in ROLES.items()],
        "",
        '"302 login": sent to the tablet login; "302 admin login": sent to the admin login; '
        '"close 4403": the websocket is closed with that code. Anybody else with a result '
        "link's token is its visitor: a random token gets the same 404 as any unknown one.",
        "",
        "## HTTP",
        "",
        header,
        rule,
        *[
            f"| `/{r.path or r.pattern}` | {r.method} | {_cells(r)} | {r.why} |"
            for r in HTTP_ROUTES
        ],
        "| `/admin/<app>/<model>/…` (every model's list, add, change, delete, history) | GET | "
        + " | ".join(ADMIN_MODEL_VIEW[role] for role in ROLES)
        + " | the model's permissions decide, per staff member |",
        "| `/admin/<app>/<model>/<id>/` (old address of change) | GET | "
        + " | ".join(ADMIN_MODEL_REDIRECT[role] for role in ROLES)
        + " | redirects to change, which checks |",
        "",
        *(
            ["Admin pages a superuser is refused on purpose:", ""]
            + [
                f"- `{name}`: {outcome}, {why}"
                for name, (outcome, why) in ADMIN_MODEL_EXCEPTIONS.items()
            ]
            + [""]
            if ADMIN_MODEL_EXCEPTIONS
            else []
        ),
        "## Websockets",
        "",
        header,
        rule,
        *[_row(route) for route in WEBSOCKET_ROUTES],
        "",
        "Every websocket also refuses a foreign `Origin` (kernel/websocket_origin.py), closes a "
        "connection sending a message over `BOOTH_WEBSOCKET_MAX_MESSAGE_BYTES` (1009), and "
        "ignores malformed messages.",
        "",
        "## Where result and replay tokens go",
        "",
        "The token in a result or replay link is the visitor's only key (it opens, downloads "
        "and deletes). Every place one is sent, stored, logged or rendered:",
        "",
        "| where | how | why it is safe |",
        "| --- | --- | --- |",
        *[f"| {place.where} | {place.how} | {place.why} |" for place in TOKEN_PLACES],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(), end="")
