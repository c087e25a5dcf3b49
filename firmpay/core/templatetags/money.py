from django import template

from firmpay.core.money import format_amount

register = template.Library()


@register.simple_tag
def money(amount, currency):
    if amount is None:
        return ""
    return format_amount(int(amount), currency)
