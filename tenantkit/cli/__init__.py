"""The `tenantkit` command line: commands parse, call one service function, and render."""
