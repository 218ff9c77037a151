import pytest

PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # Hashed static names need collectstatic's manifest; the pages under test do not.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
