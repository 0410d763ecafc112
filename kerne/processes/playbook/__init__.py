"""The playbook (drejebog): versions, the rules an edited playbook must keep, and the editor."""
