"""The design model: what the language means, as typed, frozen data."""
