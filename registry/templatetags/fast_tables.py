from django import template

from registry.tables import render_rows

register = template.Library()


@register.simple_tag
def table_rows(table):
    return render_rows(table)
