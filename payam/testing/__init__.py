"""What the test settings use and production never does."""
