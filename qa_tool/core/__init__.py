"""The lowest layer: plain helpers every app shares (refusals, numbers, uploads)."""
