"""wmresearch."""
