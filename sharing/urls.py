from django.urls import path

from sharing import views as agreements

app_name = "sharing"

urlpatterns = [
    path("", agreements.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("recompute-access/", agreements.recompute_access_now, name="recompute-access"),
]
