"""The staff control page's one form: which command, to which display(s), with what."""

from django import forms

from displays import selectors
from displays.models import MAX_DISPLAYS, Display
from experiences.models.photo import Asset

ALL = "all"


class ControlForm(forms.Form):
    ACTIONS = {
        "set_mode": "Set mode",
        "push_asset": "Push result",
        "refresh": "Force refresh",
        "reload": "Reload page",
    }

    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    target = forms.CharField(help_text="A display number, or “all”.")
    mode = forms.ChoiceField(choices=Display.Mode.choices, required=False)
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        results = selectors.pushable_results()
        self.fields["asset"].queryset = Asset.objects.filter(pk__in=[a.pk for a in results])
        self.fields["asset"].label_from_instance = lambda asset: (
            f"{asset.job.capture.player.nickname} · {asset.created:%H:%M} · job {asset.job_id}"
        )

    def clean_target(self) -> list[Display]:
        target = self.cleaned_data["target"].strip().lower()
        displays = selectors.event_displays()
        if target != ALL:
            if not target.isdigit() or not 1 <= int(target) <= MAX_DISPLAYS:
                raise forms.ValidationError(f"Choose a display from 1 to {MAX_DISPLAYS}, or all.")
            displays = displays.filter(number=int(target))
        displays = list(displays)
        if not displays:
            raise forms.ValidationError("No such display in the active event.")
        return displays

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "set_mode" and not data.get("mode"):
            self.add_error("mode", "Choose the mode to set.")
        if data.get("action") == "push_asset" and not data.get("asset"):
            self.add_error("asset", "Choose the result to push.")
        return data
