"""Drawing previews: a worker renders PDF pages and pictures as PNG once, a bad file is
recorded as such (the drawing stays downloadable), and a preview's pages are served only
to those who may download the drawing."""

import datetime

import pytest
from celery import current_app
from django.utils import timezone

from brokerage.models import Invitation
from core.processes import wait_until
from orders.models import Drawing, DrawingPreview, PreviewImage
from orders.services.drawings import drawing_attach
from orders.tasks import drawing_preview_make, sweep_drawing_previews
from tests.kit.drawing_files import bomb_png_bytes, pdf_bytes, png_bytes, upload
from tests.kit.factories import FirmUserFactory
from tests.kit.steps import as_user, routed
from tests.kit.worlds import kyoto_world, rodan_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return kyoto_world()


@pytest.fixture
def rfq(world):
    # Milling is asked for: fushimi and uji are invited, yawata (resin) is not.
    return routed(world, "process.machining.milling")


def attach(world, rfq, name: str, content: bytes, content_type: str) -> Drawing:
    response = as_user(world.customer).post(
        f"/api/rfqs/{rfq.pk}/attachments/",
        {"file": upload(name, content, content_type)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return Drawing.objects.get(pk=response.json()["id"])


def test_a_pdf_gets_its_first_pages_as_images_and_the_api_lists_them(world, rfq):
    # Given a five-page PDF drawing attached to the request
    drawing = attach(world, rfq, "housing.pdf", pdf_bytes(pages=5), "application/pdf")
    # When the worker makes its preview
    assert drawing_preview_make(drawing.pk) == "ready"
    # Then its first three pages are PNG images, no side above the bound
    preview = DrawingPreview.objects.get(drawing=drawing)
    assert (preview.status, preview.reason, preview.page_count) == ("ready", "", 5)
    images = list(preview.images.order_by("number"))
    assert [image.number for image in images] == [1, 2, 3]
    for image in images:
        assert max(image.width, image.height) <= 1600
        with image.image.open("rb") as stored:
            assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    # And an invited firm reads the preview in the request's drawings, and its pages
    member = as_user(world.users["fushimi"])
    listed = member.get(f"/api/rfqs/{rfq.pk}/attachments/").json()["results"][0]["preview"]
    assert listed["status"] == "ready"
    assert listed["page_count"] == 5
    url = f"/api/rfqs/{rfq.pk}/attachments/{drawing.pk}/preview/1/"
    assert listed["images"][0]["url"] == url
    response = member.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_picture_is_scaled_into_one_image(world, rfq):
    # Given a photo of a sketch, larger than a phone needs
    drawing = attach(world, rfq, "sketch.png", png_bytes((3200, 1000)), "image/png")
    # When the worker makes its preview
    drawing_preview_make(drawing.pk)
    # Then it is one image, scaled down with its proportions kept
    image = PreviewImage.objects.get(preview__drawing=drawing)
    assert (image.number, image.width, image.height) == (1, 1600, 500)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "status", "reason"),
    [
        ("cut.pdf", pdf_bytes(pages=2)[:300], "application/pdf", "failed", "unreadable"),
        ("bomb.png", bomb_png_bytes(), "image/png", "failed", "too_large"),
        (
            "part.stl",
            b"solid part\n facet normal 0 0 1\nendsolid",
            "model/stl",
            "unavailable",
            "format",
        ),
    ],
)
def test_a_file_without_a_preview_keeps_its_upload_and_says_why(
    world, rfq, name, content, content_type, status, reason
):
    # Given a truncated PDF, a decompression bomb or a 3D model, accepted at upload
    drawing = attach(world, rfq, name, content, content_type)
    # When the worker tries to make a preview
    drawing_preview_make(drawing.pk)
    # Then none is made, and why is recorded as a code
    preview = DrawingPreview.objects.get(drawing=drawing)
    assert (preview.status, preview.reason) == (status, reason)
    assert not preview.images.exists()
    # And the API says so beside the drawing, which still downloads
    customer = as_user(world.customer)
    listed = customer.get(f"/api/rfqs/{rfq.pk}/attachments/").json()["results"][0]
    assert listed["preview"] == {"status": status, "reason": reason, "page_count": 0, "images": []}
    assert customer.get(listed["download_url"]).status_code == 200
    assert (
        customer.get(f"/api/rfqs/{rfq.pk}/attachments/{drawing.pk}/preview/1/").status_code == 404
    )


def test_a_drawing_waiting_for_its_preview_is_listed_as_pending(world, rfq):
    # Given a drawing just attached, before any worker ran
    attach(world, rfq, "housing.pdf", pdf_bytes(), "application/pdf")
    # When the customer lists the drawings
    listed = as_user(world.customer).get(f"/api/rfqs/{rfq.pk}/attachments/").json()
    # Then the preview is pending
    assert listed["results"][0]["preview"]["status"] == "pending"


def test_the_task_run_twice_makes_one_preview(world, rfq):
    # Given a PDF drawing
    drawing = attach(world, rfq, "housing.pdf", pdf_bytes(pages=2), "application/pdf")
    # When the task runs twice (a redelivered message)
    drawing_preview_make(drawing.pk)
    first = list(PreviewImage.objects.values_list("pk", "image"))
    drawing_preview_make(drawing.pk)
    # Then there is one preview, with the same two images
    assert DrawingPreview.objects.filter(drawing=drawing).count() == 1
    assert list(PreviewImage.objects.values_list("pk", "image")) == first
    assert len(first) == 2


def test_a_deleted_drawing_makes_no_preview(world, rfq):
    # Given a drawing removed before its task ran
    drawing = attach(world, rfq, "housing.pdf", pdf_bytes(), "application/pdf")
    Drawing.objects.filter(pk=drawing.pk).delete()
    # When the task runs, then it does nothing
    assert drawing_preview_make(drawing.pk) is None
    assert not DrawingPreview.objects.exists()


def test_only_those_who_may_download_the_drawing_see_its_preview(world, rfq):
    # Given a request's drawing with its preview made
    drawing = attach(world, rfq, "housing.pdf", pdf_bytes(), "application/pdf")
    drawing_preview_make(drawing.pk)
    url = f"/api/rfqs/{rfq.pk}/attachments/{drawing.pk}/preview/1/"
    download = f"/api/rfqs/{rfq.pk}/attachments/{drawing.pk}/download/"
    # When each person asks for the preview's first page
    # Then the customer, the office and an invited firm see it
    for user in (world.customer, world.office_user, world.users["fushimi"]):
        assert as_user(user).get(url).status_code == 200
    # And a firm of the network not invited, and a firm of no network, get what they get
    # for the drawing itself: not found
    outsider = FirmUserFactory()
    for user in (world.users["yawata"], outsider):
        client = as_user(user)
        assert client.get(download).status_code == 404
        assert client.get(url).status_code == 404
    # And a page beyond the preview, or of another request's drawing, is not found either
    assert as_user(world.customer).get(url.replace("/1/", "/2/")).status_code == 404
    other = routed(world, "process.machining.milling", title="Other")
    assert (
        as_user(world.customer)
        .get(f"/api/rfqs/{other.pk}/attachments/{drawing.pk}/preview/1/")
        .status_code
        == 404
    )


@pytest.fixture
def sent(monkeypatch):
    """Record the preview tasks sent to the broker instead of sending them."""
    calls = []
    monkeypatch.setattr(
        current_app.tasks["orders.drawing_preview_make"],
        "apply_async",
        lambda args=(), kwargs=None, **options: calls.append(tuple(args)),
    )
    return calls


def test_attaching_a_drawing_sends_its_preview_task_after_commit(
    world, rfq, sent, django_capture_on_commit_callbacks
):
    # When the customer attaches a drawing
    with django_capture_on_commit_callbacks(execute=True):
        drawing = drawing_attach(
            rfq=rfq,
            uploaded=upload("housing.pdf", pdf_bytes(), "application/pdf"),
            user=world.customer,
        )
    # Then the preview task is sent once the drawing is saved, with its id only
    assert sent == [(drawing.pk,)]


def test_the_sweeper_sends_again_what_the_broker_lost(world, rfq, sent):
    # Given three drawings: one waiting for minutes, one just attached, one with its preview
    lost, _just_attached, done = (
        attach(world, rfq, f"{pages}.pdf", pdf_bytes(pages=pages), "application/pdf")
        for pages in (1, 2, 3)
    )
    Drawing.objects.filter(pk__in=[lost.pk, done.pk]).update(
        uploaded_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    drawing_preview_make(done.pk)
    sent.clear()
    # When the sweeper runs
    assert sweep_drawing_previews() == 1
    # Then only the one waiting is sent again
    assert sent == [(lost.pk,)]


def test_a_confidential_requests_preview_needs_the_nda_like_its_drawing():
    # Given a confidential request in a network requiring an NDA, its drawing previewed
    world = rodan_world()
    rfq = routed(world, "process.machining.milling", confidential=True)
    drawing = attach(world, rfq, "housing.pdf", pdf_bytes(), "application/pdf")
    drawing_preview_make(drawing.pk)
    url = f"/api/rfqs/{rfq.pk}/attachments/{drawing.pk}/preview/1/"
    # When a firm without the NDA and one with it are invited (say, by an earlier routing)
    for key in ("cluster_no_nda", "cluster_nda"):
        Invitation.objects.get_or_create(rfq=rfq, firm=world.firms[key], defaults={"rank": 9})
    # Then the one without gets no preview, as it gets no drawing; the other gets both
    download = f"/api/rfqs/{rfq.pk}/attachments/{drawing.pk}/download/"
    without_nda, with_nda = (as_user(world.users[key]) for key in ("cluster_no_nda", "cluster_nda"))
    assert (without_nda.get(download).status_code, without_nda.get(url).status_code) == (404, 404)
    assert (with_nda.get(download).status_code, with_nda.get(url).status_code) == (200, 200)


@pytest.mark.celery_worker
def test_a_real_worker_makes_the_preview(celery_worker):
    # Given a drawing attached (committed: the worker reads it from the database)
    world = kyoto_world()
    rfq = routed(world, "process.machining.milling")
    drawing = attach(world, rfq, "sketch.png", png_bytes(), "image/png")
    # When its task goes through the broker to a real worker
    drawing_preview_make.apply_async(args=[drawing.pk], queue=celery_worker.queue)
    # Then the preview is made there
    made = wait_until(
        lambda: DrawingPreview.objects.filter(drawing=drawing, status="ready").exists(),
        timeout=60,
    )
    assert made, celery_worker.output()
