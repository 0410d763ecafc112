"""The coordinator's planning: from open requests to confirmed pairs and visits."""
