"""The demo networks and the year replay, for development only (production leaves it out).

The four studied networks, their firms, people, customers and requests live in `taxonomy`
and `networks`; `loader` writes them to the database (`manage.py load_demo`). `replay`
plays a year of each network through the real services (`manage.py replay_year`).
Nothing imports this app; it may import any other.
"""
