"""The one exception type users see: a short, one-line message naming the value and the fix."""


class PartnerfitError(ValueError):
    """Bad input, explained in one line (what was found, where, and how to fix it)."""


def show(value: object, limit: int = 40) -> str:
    """A value as it should appear in a one-line message."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        return '"' + " ".join(text.splitlines()) + '"'  # every kind of line break: one line
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value)[:limit].splitlines())
