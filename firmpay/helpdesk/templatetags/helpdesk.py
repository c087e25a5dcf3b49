from django import template

from firmpay.helpdesk.selectors import unread_conversations_count

register = template.Library()


@register.inclusion_tag("helpdesk/_badge.html", takes_context=True)
def help_badge(context):
    request = context.get("request")
    firm = getattr(request, "firm", None)
    unread = unread_conversations_count(firm=firm, user=request.user) if firm else 0
    return {"help_unread": unread}
