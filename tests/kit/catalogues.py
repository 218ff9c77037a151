"""The message catalogues, as the i18n tests read them."""

import re

from django.conf import settings

JAPANESE = settings.BASE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"
# %(name)s, %s, %d, %r … and %%: what Python's % operator reads in a string.
PERCENT_FORMAT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxo%]")
