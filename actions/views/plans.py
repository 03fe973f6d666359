from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@login_required
@require_safe
def plan_index(request: HttpRequest) -> HttpResponse:
    return render(request, "actions/index.html", {"nav_section": "Action plan"})
