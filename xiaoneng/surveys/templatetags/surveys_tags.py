"""Small lookups for the questionnaire templates (the posted values shown again after an error)."""

from django import template

register = template.Library()


@register.filter
def getval(values, key):
    """values["q<key>"] for a question id, or values[str(key)] for a matrix row's mapping."""
    if not values:
        return ""
    if isinstance(values, dict) and "__matrix__" in values:
        return values.get(str(key), "")
    return values.get(f"q{key}", "") if hasattr(values, "get") else ""


@register.filter
def getmatrix(values, qid):
    """The posted values of a matrix question as {department id: value}."""
    prefix = f"q{qid}_"
    out = {"__matrix__": True}
    for k, v in (values or {}).items():
        if k.startswith(prefix):
            out[k[len(prefix):]] = v
    return out


@register.filter
def getlist(multi, qid):
    return (multi or {}).get(f"q{qid}", [])


@register.filter
def field_is(field, qid):
    """True when the error's field names this question (q12, or q12.<department id>)."""
    f = str(field or "")
    return f == f"q{qid}" or f.startswith(f"q{qid}.")


@register.filter
def matrix_field(qid, did):
    """The error field naming one department of a matrix question."""
    return f"q{qid}.{did}"
