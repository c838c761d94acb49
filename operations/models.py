"""Booth's own records that belong to no experience: the AWS preflight's runs."""

from django.db import models


class PreflightRun(models.Model):
    """One run of `manage.py aws_preflight`: every check's line, as printed, so staff can
    see on the day what the deployment looked like when it was last checked."""

    ran_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ok = models.BooleanField(help_text="No check failed (warnings allowed).")
    # [{"status": "PASS"|"WARN"|"FAIL", "name": ..., "detail": ..., "fix": ...}, ...]
    checks = models.JSONField(default=list)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = "AWS preflight run"

    def __str__(self) -> str:
        return f"AWS preflight {self.ran_at:%Y-%m-%d %H:%M} ({'ok' if self.ok else 'failed'})"
