"""Notices by e-mail: composed when something happens, queued in the database, sent and retried."""
