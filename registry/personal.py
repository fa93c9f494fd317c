"""Personal information of persons in charge (PIPL): validation and masking.

ID numbers are shown in full only to roles that need them, on request, and every full view is logged
(registry.models.PersonalDataView). Lists, exports and the API always mask.
"""

import re
from datetime import date

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


# Keys under which an ID number or a phone number is stored, in a model and in a case's payload.
PERSONAL_KEYS = {"leader_id_number": mask_id, "leader_phone": mask_phone}

# A resident ID anywhere in a text: 18 characters (17 digits and a check character) or a legacy 15 digits, not
# inside a longer run of digits. Only numbers that are valid IDs (check character, birth date) are masked.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def _is_id_number(candidate: str) -> bool:
    if len(candidate) == 18:
        return ric.is_valid(candidate.upper())
    try:  # 15 digits: area (6), birth date YYMMDD, sequence (3)
        date(1900 + int(candidate[6:8]), int(candidate[8:10]), int(candidate[10:12]))
    except ValueError:
        return False
    return True


def mask_ids_in(value):
    """``value`` (text, or JSON-like dicts and lists) with every resident ID number in it masked, and values
    stored under a personal key masked whatever they look like. For what leaves the portal (audit pages, exports,
    the API) when it may hold numbers written before they were masked at the source."""
    if isinstance(value, str):
        if not any(ch.isdigit() for ch in value):
            return value
        return _ID_IN_TEXT.sub(lambda m: mask_id(m.group(1)) if _is_id_number(m.group(1)) else m.group(1), value)
    if isinstance(value, dict):
        return {key: _mask_personal(PERSONAL_KEYS[key], item) if key in PERSONAL_KEYS else mask_ids_in(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_ids_in(item) for item in value]
    return value


def _mask_personal(mask, item):
    """A value under a personal key: masked as such; a pair [before, after] (an audit change) item by item."""
    if isinstance(item, list | tuple):
        return [_mask_personal(mask, each) for each in item]
    if isinstance(item, str | int) and item != "":
        return mask(str(item))
    return item
