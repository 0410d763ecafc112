"""What Kerne keeps about itself and about people: the audit log, personal data, retention, backups."""
