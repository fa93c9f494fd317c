"""Personal information of persons in charge (PIPL): validation and masking.

ID numbers are shown in full only to roles that need them, on request, and every full view is logged
(registry.models.PersonalDataView). Lists, exports and the API always mask.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from registry.choices import Role

# Roles whose work needs the full ID number (identity checks on filing and registration decisions).
FULL_ID_ROLES = (Role.STREET_STAFF, Role.DISTRICT_REVIEWER, Role.ADMIN)


def validate_id_number(value: str) -> str:
    """A resident ID (GB 11643-1999, 18 characters with check character) or a legacy 15-digit number."""
    value = (value or "").strip().upper()
    if len(value) == 15 and value.isdigit():
        return value
    try:
        return ric.validate(value)
    except StdnumError as exc:
        raise ValidationError(_("%(value)s is not a valid resident ID number (%(reason)s).")
                              % {"value": mask_id(value), "reason": exc}) from None


def mask_id(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value or len(value) < 7:
        return value and "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def may_view_full_id(user) -> bool:
    return user.is_active and (user.is_superuser or user.role in FULL_ID_ROLES)
