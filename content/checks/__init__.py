"""Rules that relate several values: identity, references, geometry, time and shape."""
