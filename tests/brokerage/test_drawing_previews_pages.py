"""A drawing's preview on the pages: an invited firm's supervisor reads the drawing on a
phone (the invitation page), the customer on the request page; a file without a preview
says why, in the reader's language."""

import pytest
from django.urls import reverse

from orders.services.drawings import drawing_attach
from orders.tasks import drawing_preview_make
from tests.kit.catalogues import words
from tests.kit.drawing_files import pdf_bytes, upload
from tests.kit.steps import client_for, invitation_of, routed
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


def test_an_invited_firm_sees_the_drawings_pages_on_its_invitation(world):
    # Given a request with a five-page PDF drawing whose preview was made
    rfq = routed(world, "process.machining.milling")
    drawing = drawing_attach(
        rfq=rfq,
        uploaded=upload("housing.pdf", pdf_bytes(pages=5), "application/pdf"),
        user=world.customer,
    )
    drawing_preview_make(drawing.pk)
    # When the invited firm opens its invitation
    invitation = invitation_of(rfq, world.firms["fushimi"])
    page = (
        client_for(world.users["fushimi"])
        .get(reverse("pages:invitation", args=[invitation.pk]))
        .content.decode()
    )
    # Then it sees the drawing's name and its first three pages, each opening at full size
    assert "housing.pdf" in page
    for number in (1, 2, 3):
        url = reverse("rfq-preview", args=[rfq.pk, drawing.pk, number])
        assert f'<a href="{url}"' in page
        assert f'<img src="{url}"' in page
    assert reverse("rfq-preview", args=[rfq.pk, drawing.pk, 4]) not in page
    assert "The first 3 of 5 pages" in page
    # And the customer sees the same on the request page
    customer_page = (
        client_for(world.customer).get(reverse("pages:request", args=[rfq.pk])).content.decode()
    )
    assert f'<img src="{reverse("rfq-preview", args=[rfq.pk, drawing.pk, 1])}"' in customer_page


def test_a_file_without_a_preview_says_why_in_japanese(world):
    # Given a request with a 3D model (no preview for its format) and a PDF not yet previewed
    rfq = routed(world, "process.machining.milling")
    model = drawing_attach(
        rfq=rfq,
        uploaded=upload("part.stl", b"solid part\n facet normal 0 0 1\nendsolid", "model/stl"),
        user=world.customer,
    )
    drawing_preview_make(model.pk)
    drawing_attach(
        rfq=rfq, uploaded=upload("cover.pdf", pdf_bytes(), "application/pdf"), user=world.customer
    )
    # When the invited firm reads its invitation in Japanese
    invitation = invitation_of(rfq, world.firms["fushimi"])
    page = (
        client_for(world.users["fushimi"], language="ja")
        .get(reverse("pages:invitation", args=[invitation.pk]))
        .content.decode()
    )
    # Then the model's type and why it has no preview are shown, and the PDF's is awaited
    no_preview = words("ja", "This format has no preview yet; download the file to open it.")
    assert f"STL · {no_preview}" in page
    assert words("ja", "The preview is being prepared; reload the page in a moment.") in page
    assert "<img" not in page
