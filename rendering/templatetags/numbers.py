"""The template filters of `rendering.numbers`, in the active language:
`{% load numbers %}` then `{{ n|integer }}`, `{{ v|euros }}`, `{{ share|percent }}`,
`{{ minutes|hours }}`, `{{ x|decimal:2 }}`. A missing figure shows as a dash."""

from django import template

from rendering import numbers

register = template.Library()


@register.filter
def integer(value) -> str:
    return numbers.integer(value)


@register.filter
def decimal(value, places=1) -> str:
    return numbers.decimal(value, int(places))


@register.filter
def euros(value) -> str:
    return numbers.euros(value)


@register.filter
def percent(share) -> str:
    return numbers.percent(share)


@register.filter
def hours(minutes) -> str:
    return numbers.hours(minutes)
