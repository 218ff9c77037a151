"""Demo data: the four studied networks, their firms, people, customers and requests.

The data lives in `taxonomy` and `networks`; `loader` writes it to the database and
`manage.py load_demo` runs the loader.
"""
