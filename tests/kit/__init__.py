"""What the test modules share, in one place; no test module imports another.

    factories.py   factory_boy factories for the domain's rows, orders, teams and payments
    worlds.py      small networks, one per policy preset, with known firms and people
    steps.py       given/when/then steps through the API, the pages and the services
    every_page.py  every page of the site with a person who may open it
    catalogues.py  the message catalogues the i18n tests read; what the site says in a language
    clock.py       the `clock` fixture: `django.utils.timezone.now` pinned for a test

The security world and its matrix (tests/security/world.py, matrix.py) stay beside the
security tests, their only users; tests/test_suite_layout.py keeps this rule.
"""
