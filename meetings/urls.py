"""The meetings pages of a panel: each area appends its own block to `urlpatterns`."""

from django.urls import path

from meetings.views import agenda, case_actions, meeting_mode, meetings

app_name = "meetings"

# --- Meeting rules, meetings, the agenda builder, sharing and the agenda pack ---
urlpatterns = [
    path("<int:pk>/meeting-rules/", meetings.meeting_rules, name="meeting-rules"),
    path("meeting-rules/<int:pk>/stop/", meetings.meeting_rule_stop_view, name="meeting-rule-stop"),
    path("<int:pk>/meetings/", meetings.meeting_list, name="meetings"),
    path("<int:pk>/meetings/past/", meetings.meeting_list_past, name="meetings-past"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/move/", meetings.meeting_move_view, name="meeting-move"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel_view, name="meeting-cancel"),
    path("meetings/<int:pk>/agenda/", agenda.agenda_builder_view, name="agenda"),
    path("meetings/<int:pk>/agenda/add/", agenda.agenda_add, name="agenda-add"),
    path(
        "meetings/<int:pk>/agenda/suggested/<slug:reason>/",
        agenda.agenda_group,
        name="agenda-group",
    ),
    path(
        "meetings/<int:pk>/agenda/suggested/<slug:reason>/add/",
        agenda.agenda_add_suggested,
        name="agenda-add-suggested",
    ),
    path("meetings/<int:pk>/agenda/people/", agenda.agenda_people, name="agenda-people"),
    path("meetings/<int:pk>/agenda/share/", agenda.agenda_share_view, name="agenda-share"),
    path("meetings/<int:pk>/agenda/pack.pdf", agenda.agenda_pack, name="agenda-pack"),
    path("agenda-items/<int:pk>/reason/", agenda.agenda_item_edit, name="agenda-item-edit"),
    path("agenda-items/<int:pk>/move/", agenda.agenda_item_move_view, name="agenda-item-move"),
    path(
        "agenda-items/<int:pk>/remove/", agenda.agenda_item_remove_view, name="agenda-item-remove"
    ),
]

# --- Meeting mode, minutes and case actions (views in meeting_mode.py and actions.py) ---
urlpatterns += [
    path("meetings/<int:pk>/run/", meeting_mode.meeting_mode, name="meeting-mode"),
    path(
        "meetings/<int:pk>/run/attendance/",
        meeting_mode.meeting_attendance,
        name="meeting-mode-attendance",
    ),
    path("meetings/run/items/<int:pk>/", meeting_mode.meeting_item, name="meeting-mode-item"),
    path("meetings/<int:pk>/minutes/", meeting_mode.meeting_minutes, name="meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes/publish/",
        meeting_mode.meeting_minutes_publish,
        name="meeting-minutes-publish",
    ),
    path("actions/", case_actions.action_list, name="case-actions"),
    path("actions/<int:pk>/", case_actions.action_detail, name="case-action"),
    path("actions/<int:pk>/done/", case_actions.action_done, name="case-action-done"),
    path("actions/<int:pk>/updates/", case_actions.action_update, name="case-action-update"),
    path("actions/<int:pk>/change/", case_actions.action_change, name="case-action-change"),
    path("actions/<int:pk>/cancel/", case_actions.action_cancel, name="case-action-cancel"),
]
