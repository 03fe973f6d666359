from django.urls import path

from sharing import agreement_views as writes
from sharing import views as agreements

app_name = "sharing"

urlpatterns = [
    path("", agreements.agreement_list, name="agreements"),
    path("register.docx", agreements.register_export, {"fmt": "docx"}, name="register-docx"),
    path("register.xlsx", agreements.register_export, {"fmt": "xlsx"}, name="register-xlsx"),
    path("agreements/new/", writes.agreement_create, name="agreement-create"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", writes.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/circulate/", writes.agreement_circulate, name="agreement-circulate"),
    path("agreements/<int:pk>/sign/", writes.agreement_sign, name="agreement-sign"),
    path(
        "agreements/<int:pk>/new-version/",
        writes.agreement_new_version,
        name="agreement-new-version",
    ),
    path(
        "agreements/<int:pk>/withdraw-party/",
        writes.agreement_withdraw_party,
        name="agreement-withdraw-party",
    ),
    path("agreements/<int:pk>/withdraw/", writes.agreement_withdraw, name="agreement-withdraw"),
    path("agreements/<int:pk>/expire/", writes.agreement_expire, name="agreement-expire"),
    path("agreements/<int:pk>/document/", writes.agreement_document, name="agreement-document"),
    path("recompute-access/", agreements.recompute_access_now, name="recompute-access"),
]
