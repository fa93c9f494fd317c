from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.indicators import CATALOGUE, INDICATORS
from reporting.models import JudgedAt, Operator
from reporting.targets import PERCENT, PRESETS


def parse_target_value(text: str, indicator_id: str) -> tuple[Decimal, int]:
    """"16", "30" or a fraction "1/3" (for a share: 三分之一以上 is kept exact as 100/3 %) -> (value, divisor)."""
    text = (text or "").strip().replace("％", "").replace("%", "")
    try:
        if "/" in text:
            top, bottom = (Decimal(part) for part in text.split("/", 1))
            if bottom <= 0 or bottom != int(bottom) or bottom > 1000:
                raise InvalidOperation
            indicator = INDICATORS.get(indicator_id)
            scale = 100 if indicator is not None and indicator.unit == PERCENT else 1
            return top * scale, int(bottom)
        return Decimal(text), 1
    except (InvalidOperation, ValueError):
        raise forms.ValidationError(_("Enter a number such as 16 or 30, or a fraction such as 1/3.")) from None


def _styled(form):
    for field in form.fields.values():
        css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)


class TargetValueMixin:
    def clean(self):
        data = super().clean()
        indicator = data.get("indicator") or getattr(self, "indicator_id", "")
        if "value" in data:
            try:
                data["value"], data["divisor"] = parse_target_value(data["value"], indicator)
            except forms.ValidationError as error:
                self.add_error("value", error)
        return data


class TargetForm(TargetValueMixin, forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=[])
    operator = forms.ChoiceField(label=_("Operator"), choices=Operator.choices, initial=Operator.AT_LEAST)
    value = forms.CharField(label=_("Target value"), max_length=20,
                            help_text=_("In the indicator's unit; a share may be a fraction such as 1/3."))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    judged_at = forms.ChoiceField(label=_("Judged at"), choices=JudgedAt.choices, initial=JudgedAt.EVERY_LEVEL)
    source_document = forms.CharField(label=_("Source document"), max_length=100,
                                      help_text=_("The document that sets the target, e.g. 杭民发〔2018〕237号."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.id, i.name) for i in CATALOGUE]
        _styled(self)


class OverrideForm(TargetValueMixin, forms.Form):
    value = forms.CharField(label=_("Target value"), max_length=20)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    source_document = forms.CharField(label=_("Source document"), max_length=100, required=False)

    def __init__(self, *args, indicator_id="", **kwargs):
        self.indicator_id = indicator_id
        super().__init__(*args, **kwargs)


class AdoptForm(forms.Form):
    preset = forms.ChoiceField(label=_("Policy preset"), choices=[(key, label) for key, (_s, label, _r)
                                                                  in PRESETS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
