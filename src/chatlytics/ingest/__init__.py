"""The HTTP collector: read the body, check the key, validate, hand to the writer, answer."""
