from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def nominal_index(request: HttpRequest) -> HttpResponse:
    return render(request, "offenders/index.html", {"nav_section": "Nominals"})
