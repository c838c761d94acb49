"""`{% event_dashboard as dash %}` for the admin index (kept out of kernel's admin site,
which imports no app)."""

from django import template

from operations.dashboard import ago, dashboard

register = template.Library()


@register.simple_tag
def event_dashboard() -> dict:
    return dashboard()


@register.filter
def time_ago(moment) -> str:
    """ "2 min ago" for a datetime (staff pages read times at a glance)."""
    return ago(moment)
