"""The API's page numbers, counted only so far: members.pagination's, as in every app."""

from members.pagination import CountedPagination

__all__ = ["CountedPagination"]
