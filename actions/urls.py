"""The action plan's pages, one module of routes per area, in the "actions" namespace."""

from django.urls import path

from actions.views import imports, plans

app_name = "actions"

urlpatterns = [
    path("", plans.plan_index, name="index"),
    # --- The plan's pages: the table, exports, actions, steps and progress updates ---
    path("<int:pk>/", plans.plan_detail, name="plan"),
    path("<int:pk>/export.docx", plans.plan_export_docx, name="plan-docx"),
    path("<int:pk>/export.xlsx", plans.plan_export_xlsx, name="plan-xlsx"),
    path("<int:pk>/settings/", plans.plan_settings, name="plan-settings"),
    path("actions/<int:pk>/", plans.action_detail, name="action"),
    path("actions/<int:pk>/change/", plans.action_edit, name="action-edit"),
    path("steps/<int:pk>/change/", plans.step_edit, name="step-edit"),
    path("steps/<int:pk>/progress/", plans.progress_add_page, name="progress-add"),
    # --- end of the plan's pages ---
    # --- Importing a plan: the table, its columns, the preview, commit and discard ---
    path("imports/new/", imports.plan_import_start, name="plan-import"),
    path("imports/<int:pk>/", imports.plan_import_preview, name="plan-import-preview"),
    path("imports/<int:pk>/columns/", imports.plan_import_columns, name="plan-import-columns"),
    path("imports/<int:pk>/commit/", imports.plan_import_commit, name="plan-import-commit"),
    path("imports/<int:pk>/discard/", imports.plan_import_discard, name="plan-import-discard"),
    # --- end of importing a plan ---
]
