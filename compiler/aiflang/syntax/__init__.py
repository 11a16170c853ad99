"""Source text to the syntax model: parsing, syntax diagnostics and formatting."""
