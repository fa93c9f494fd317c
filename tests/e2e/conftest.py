"""Browser tests live here and in the apps' folders; the fixtures are in tests/conftest.py."""
