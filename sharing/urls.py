from django.urls import path

from sharing.views import accounts, agreements, notifications

app_name = "sharing"

urlpatterns = [
    path("", agreements.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("recompute-access/", agreements.recompute_access_now, name="recompute-access"),
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/new/", accounts.account_create, name="account-create"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account"),
    path("accounts/<int:pk>/deactivate/", accounts.account_deactivate, name="account-deactivate"),
    path("accounts/<int:pk>/reactivate/", accounts.account_reactivate, name="account-reactivate"),
    # A member of staff's own notifications.
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
]
