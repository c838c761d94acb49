"""django.contrib.admin's app config with Booth's admin site (kept apart from the site
itself: an app config module is imported before the models exist)."""

from django.contrib.admin.apps import AdminConfig


class BoothAdminConfig(AdminConfig):
    """django.contrib.admin with kernel.admin_site.BoothAdminSite as `admin.site`."""

    default_site = "kernel.admin_site.BoothAdminSite"
