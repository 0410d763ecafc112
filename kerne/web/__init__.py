"""What every page stands on: configuration, extensions, errors, security headers and CSRF, sessions,
SQLite tuning, templating, links, the permission table and scopes, the shared form checks."""
