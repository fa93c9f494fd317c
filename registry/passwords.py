"""Password complexity (ASVS 2.1): besides length and not being a common password (Django's validators)."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


class ComplexityValidator:
    """At least three of: lowercase letters, uppercase letters, digits, other characters."""

    def validate(self, password, user=None):
        kinds = sum(any(c in chars for c in password) for chars in CLASSES)
        kinds += any(not c.isascii() or not c.isalnum() for c in password)
        if kinds < 3:
            raise ValidationError(_("Use at least three of: lowercase letters, uppercase letters, digits, "
                                    "other characters."), code="password_too_simple")

    def get_help_text(self):
        return _("Your password must use at least three of: lowercase letters, uppercase letters, digits, "
                 "other characters.")
