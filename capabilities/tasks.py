"""Celery tasks of the capabilities app: thin wrappers that call services, safe to rerun."""

from celery import shared_task

from capabilities.services import directory_contact_mail


@shared_task(name="capabilities.send_directory_contact")
def send_directory_contact(contact_id: int) -> bool:
    """E-mail a directory contact to the firm it was sent to (once)."""
    return directory_contact_mail(contact_id=contact_id)
