from registry.views.accounts import *  # noqa: F403
from registry.views.core import *  # noqa: F403 - the registry's pages, one namespace for urls.py
from registry.views.lifecycle import *  # noqa: F403
from registry.views.lookup import *  # noqa: F403
from registry.views.notifications import *  # noqa: F403
from registry.views.search import *  # noqa: F403
from registry.views.tokens import *  # noqa: F403
