"""`{% status_tag "scale" value %}`: a status or RAG value as a GOV.UK tag."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.tags import tag_for

register = template.Library()


@register.simple_tag
def status_tag(scale: str, value: object) -> SafeString:
    tag = tag_for(scale, value)
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)
