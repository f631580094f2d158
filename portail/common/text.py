"""Small rules about typed text shared by the identifier, number and feed readers."""

ASCII_DIGITS = frozenset("0123456789")


def is_ascii_digits(text: str) -> bool:
    """Only 0 to 9, at least one. str.isdigit also accepts "²", "٣" and other Unicode digits,
    which int() then refuses: a typed "LOG12345²A" must be a French error, not a crash."""
    return bool(text) and ASCII_DIGITS.issuperset(text)
