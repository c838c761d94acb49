"""Schema fuzzing (schemathesis): requests generated from Booth's own OpenAPI schema, valid
and invalid, sent to the real Django app, authenticated as a station's device and as an
integration. No response may be a server error.

The counts of cases run and 5xx seen are printed (run with -s to see them) and asserted.
"""

from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

# Real commits: Django's WSGI handler may close the connection between requests.
pytestmark = pytest.mark.django_db(transaction=True)

# Bounded so the whole run stays well under a minute on a busy 2-core machine.
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process_app(settings):
    """Django's WSGI application, called in this process by schemathesis. Rate limits off:
    hundreds of requests from one device and one address on purpose, and the cases should
    reach the validation behind the limits (tests/booth/test_rate_limits.py tests those)."""
    settings.BOOTH_RATE_LIMITS = {}
    return get_wsgi_application()


@pytest.fixture
def identities(booth, device_client) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Request headers and cookies for each way into the API."""
    device_client.get("/tablet/")  # sets the csrftoken cookie, as the tablet page does
    session = device_client.cookies["sessionid"].value
    csrf = device_client.cookies["csrftoken"].value
    _, token = factories.make_integration(booth.event, scopes=("shots", "clips"))
    return {
        "device": ({"X-CSRFToken": csrf}, {"sessionid": session, "csrftoken": csrf}),
        "integration": ({"Authorization": f"Bearer {token}"}, {}),
    }


@pytest.fixture
def known_ids(booth, identities) -> dict[str, object]:
    """Path parameters that exist: half of the generated cases use them, so the fuzzing
    gets past "no such station/job/shot" into the validation behind it."""
    factories.make_sports_experience(booth.event)
    shot = Client().post(
        "/api/shots/",
        factories.shot_json("fuzz-shot"),
        content_type="application/json",
        headers=identities["integration"][0],
    )
    assert shot.status_code == 201, shot.content
    job = factories.make_job(booth.station)
    return {"number": booth.station.number, "id": job.pk, "event_id": "fuzz-shot"}


def fuzz(operation, mode, who: str, identity: tuple, known: dict, tally: Counter, failures: list):
    """Run generated cases of one operation, in one mode, as one identity."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        use_known=st.sampled_from([True, True, False]),
    )
    def run(case, use_known):
        if use_known and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = known[name]
        if use_known and isinstance(case.body, dict) and "consent_version" in case.body:
            case.body["consent_version"] = factories.CONSENT_VERSION  # on to the photo
        headers, cookies = identity
        # The schema's cookieAuth makes schemathesis generate a session cookie: the
        # identity's own cookie replaces it, so the case runs as that identity.
        case.cookies = {**(case.cookies or {}), **cookies}
        response = case.call(headers=headers)
        tally[(operation.label, who, str(mode), response.status_code)] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as failure:  # collected, reported below
            failures.append(
                f"{operation.label} as {who} ({mode}): {response.status_code} "
                f"{type(failure).__name__}: {str(failure)[:600]}"
            )

    run()


def test_no_generated_request_gets_a_server_error(in_process_app, identities, known_ids, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", in_process_app)
    tally: Counter[tuple] = Counter()
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for who, identity in identities.items():
                fuzz(operation, mode, who, identity, known_ids, tally, failures)

    statuses: Counter[int] = Counter()
    for (*_, status), count in tally.items():
        statuses[status] += count
    cases = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    with capsys.disabled():
        print(f"\nschemathesis: {cases} cases, {server_errors} 5xx, statuses {dict(statuses)}")
        for key, count in sorted(tally.items()):
            print("  ", *key, count)
    assert cases >= 200
    assert server_errors == 0, failures
    assert not failures, "\n".join(failures[:10])
    # The fuzzing reached past authentication: requests were accepted, not only refused.
    assert {200, 201} & set(statuses)
    assert {400, 404, 415} <= set(statuses)
