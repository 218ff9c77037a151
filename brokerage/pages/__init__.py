"""Server-rendered pages for customers, member firms and network offices.

Views stay thin: they validate a form, call one service, and redirect with a message;
when a service refuses, the form is shown again with what was typed and why.
"""
