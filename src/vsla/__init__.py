"""vsla."""
