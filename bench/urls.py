"""The platform's URLs plus two endpoints that insert a single row.

The bare endpoint is the yardstick for intake throughput (DESIGN.md §6): the same Django,
database and server, doing the least a write can do. The API endpoint does the same insert
behind what every submission passes first (the API's token authentication, the signed-in
check and the submission limit), so the table shows how much of the gap to the bare
endpoint is the door rather than the submission itself.
"""

import uuid

from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage.models import Heartbeat
from brokerage.throttles import SubmissionThrottle


def one_row_inserted() -> int:
    return Heartbeat.objects.create(name=uuid.uuid4().hex, at=timezone.now()).pk


@csrf_exempt
@require_POST
def insert_one_row(request):
    return JsonResponse({"id": one_row_inserted()}, status=201)


class ApiInsertOneRow(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [SubmissionThrottle]

    def post(self, request):
        return Response({"id": one_row_inserted()}, status=201)


urlpatterns = [
    path("bench/insert-one-row/", insert_one_row),
    path("bench/api-insert-one-row/", ApiInsertOneRow.as_view()),
    path("", include("brokerage.urls")),
]
