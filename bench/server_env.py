"""Environment shared by the benches that start a real Booth server."""

# Rate limits guard a booth against abuse; a bench is the one client hammering on purpose
# (hundreds of captures or page loads a minute from 127.0.0.1), so it turns them off.
RATE_LIMITS_OFF = {
    f"BOOTH_RATE_{name}": ""
    for name in (
        "CAPTURE_DEVICE",
        "CAPTURE_IP",
        "INTEGRATION_TOKEN",
        "INTEGRATION_IP",
        "RESULT_IP",
        "HEALTH_IP",
    )
}
