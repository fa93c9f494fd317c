from django import template

from registry.tables import render_rows, render_table

register = template.Library()


@register.simple_tag
def table_rows(table):
    return render_rows(table)


@register.simple_tag(takes_context=True)
def fast_table(context, table):
    """``{% render_table table %}`` for a table of ours, built in Python (registry/tables.py render_table)."""
    request = context.get("request")
    table.context = context  # as render_table does, for a TemplateColumn
    try:
        table.before_render(request)
        return render_table(table, request)
    finally:
        del table.context
