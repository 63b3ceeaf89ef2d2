"""Helpers shared by test packages (spec validation, JPEG reading)."""
