from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.index, name="index"),
    path("access-log/", views.access_log, name="access-log"),
    path(
        "access-log/export.xlsx",
        views.access_log_export,
        {"file_type": "xlsx"},
        name="access-log-xlsx",
    ),
    path(
        "access-log/export.csv",
        views.access_log_export,
        {"file_type": "csv"},
        name="access-log-csv",
    ),
    path("unusual-reading/", views.unusual_reading, name="unusual-reading"),
    path("subject-access/", views.subject_access_find, name="subject-access-find"),
    path("subject-access/<int:pk>/", views.subject_access_page, name="subject-access"),
    path(
        "subject-access/<int:pk>/export.docx",
        views.subject_access_export,
        name="subject-access-docx",
    ),
]
