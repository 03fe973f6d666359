"""The action plan's pages, one module of routes per area, in the "actions" namespace."""

from django.urls import path

from actions.views import exports, imports, plans, structure

app_name = "actions"

urlpatterns = [
    path("", plans.plan_index, name="index"),
    # --- The plan's pages: the table, exports, actions, steps and progress updates ---
    path("<int:pk>/", plans.plan_detail, name="plan"),
    path("<int:pk>/export.docx", plans.plan_export_docx, name="plan-docx"),
    path("<int:pk>/export.xlsx", plans.plan_export_xlsx, name="plan-xlsx"),
    path("<int:pk>/export/", exports.plan_export, name="plan-export"),
    path(
        "<int:pk>/export/download.docx", exports.plan_export_download, name="plan-export-download"
    ),
    path("<int:pk>/settings/", plans.plan_settings, name="plan-settings"),
    path("actions/<int:pk>/", plans.action_detail, name="action"),
    path("actions/<int:pk>/change/", plans.action_edit, name="action-edit"),
    path("steps/<int:pk>/change/", plans.step_edit, name="step-edit"),
    path("steps/<int:pk>/progress/", plans.progress_add_page, name="progress-add"),
    # --- Shaping the plan: a new plan, its outline, objectives, actions and steps ---
    path("new/", structure.plan_new, name="plan-new"),
    path("<int:pk>/outline/", structure.plan_outline, name="plan-outline"),
    path("<int:pk>/archive/", structure.plan_archive_page, name="plan-archive"),
    path("objectives/<int:pk>/change/", structure.objective_edit, name="objective-edit"),
    path("objectives/<int:pk>/actions/new/", structure.action_new, name="action-new"),
    path("actions/<int:pk>/steps/new/", structure.step_new, name="step-new"),
    path("actions/<int:pk>/objective/", structure.action_move_page, name="action-objective"),
    *[
        route
        for kind, plural in (("objective", "objectives"), ("action", "actions"), ("step", "steps"))
        for route in (
            path(
                f"{plural}/<int:pk>/move/",
                structure.item_move_view,
                {"kind": kind},
                name=f"{kind}-move",
            ),
            path(
                f"{plural}/<int:pk>/remove/",
                structure.item_remove_view,
                {"kind": kind},
                name=f"{kind}-remove",
            ),
        )
    ],
    # --- end of the plan's pages ---
    # --- Importing a plan: the table, its columns, the preview, commit and discard ---
    path("imports/new/", imports.plan_import_start, name="plan-import"),
    path("imports/<int:pk>/", imports.plan_import_preview, name="plan-import-preview"),
    path("imports/<int:pk>/columns/", imports.plan_import_columns, name="plan-import-columns"),
    path("imports/<int:pk>/commit/", imports.plan_import_commit, name="plan-import-commit"),
    path("imports/<int:pk>/discard/", imports.plan_import_discard, name="plan-import-discard"),
    path("imports/<int:pk>/rows/", imports.plan_import_keep_apart, name="plan-import-keep-apart"),
    # --- end of importing a plan ---
]
