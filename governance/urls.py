from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.index, name="index"),
    path("access-log/", views.access_log, name="access-log"),
    path("access-log/export/", views.access_log_export, name="access-log-export"),
    path("unusual-reading/", views.unusual_reading, name="unusual-reading"),
    path("subject-access/", views.subject_access_find, name="subject-access-find"),
    path("subject-access/<int:pk>/", views.subject_access_page, name="subject-access"),
    path(
        "subject-access/<int:pk>/export/",
        views.subject_access_export,
        name="subject-access-export",
    ),
]
