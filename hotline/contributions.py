"""What the hotline adds to the shared registries (filled in below as the app grows)."""
