from django.urls import path

from reporting.views import figures, reports, settings

app_name = "reporting"

urlpatterns = [
    path("", reports.report_index, name="index"),
    path("new/", reports.report_new, name="report-new"),
    path("dashboard/", figures.partnership_dashboard, name="figures"),
    path("definitions/", figures.definitions, name="definitions"),
    path("targets/", settings.targets, name="targets"),
    path("unit-costs/", settings.unit_costs, name="unit-costs"),
    path("<int:pk>/", reports.report_detail, name="report"),
    path("<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("<int:pk>/generate/", reports.report_generate, name="report-generate"),
    path("<int:pk>/versions/<int:number>/", reports.version_detail, name="version"),
    path(
        "<int:pk>/versions/<int:number>/progress/",
        reports.version_progress,
        name="version-progress",
    ),
    path(
        "<int:pk>/versions/<int:number>/restart/",
        reports.version_restart,
        name="version-restart",
    ),
    path(
        "<int:pk>/versions/<int:number>/report.docx",
        reports.version_download,
        {"kind": "docx"},
        name="version-docx",
    ),
    path(
        "<int:pk>/versions/<int:number>/report.pdf",
        reports.version_download,
        {"kind": "pdf"},
        name="version-pdf",
    ),
    path(
        "<int:pk>/versions/<int:number>/report.xlsx",
        reports.version_download,
        {"kind": "xlsx"},
        name="version-xlsx",
    ),
]
