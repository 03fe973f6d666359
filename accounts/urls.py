"""Staff accounts and each person's notifications, under /sharing/ as before."""

from django.urls import path

from accounts.views import accounts, notifications

app_name = "accounts"

urlpatterns = [
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/new/", accounts.account_create, name="account-create"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account"),
    path("accounts/<int:pk>/deactivate/", accounts.account_deactivate, name="account-deactivate"),
    path("accounts/<int:pk>/reactivate/", accounts.account_reactivate, name="account-reactivate"),
    # A member of staff's own notifications.
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
]
