"""The header's count of unread notifications: one query, made only where the header
shows it (pages for a signed-in member of staff)."""

from __future__ import annotations

from django import template

from accounts.notifications import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    return notifications_unread_count(request.user) if request is not None else 0
