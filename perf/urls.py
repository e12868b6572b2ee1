"""The site's URLs plus the harness's baseline: a view that does nothing, behind the same
middleware (sessions, authentication, CSP, language...)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def minimal(request):
    return HttpResponse("ok")


urlpatterns = [
    path("perf/minimal/", minimal),
    path("", include("qa_tool.urls")),
]
