"""Renderers: report data and diagnostics to text, JSON, SARIF, GitHub, Markdown and HTML."""
