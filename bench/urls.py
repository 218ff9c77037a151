"""The platform's URLs plus one bare endpoint that inserts a single row.

The bare endpoint is the yardstick for intake throughput (DESIGN.md §6): the same Django,
database and server, doing the least a write can do.
"""

import uuid

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from brokerage.models import Heartbeat


@csrf_exempt
@require_POST
def insert_one_row(request):
    row = Heartbeat.objects.create(name=uuid.uuid4().hex, at=timezone.now())
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [
    path("bench/insert-one-row/", insert_one_row),
    path("", include("brokerage.urls")),
]
