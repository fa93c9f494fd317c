from registry.models.audit import PersonalDataView
from registry.models.organizations import Organization, Term, clean_uscc
from registry.models.regions import Region, committee_type_of, township_kind_of
from registry.models.users import User

__all__ = [
    "Organization", "PersonalDataView", "Region", "Term", "User", "clean_uscc", "committee_type_of",
    "township_kind_of",
]
