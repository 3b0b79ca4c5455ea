"""Mechanisms and contracts shared by every Jumat SMART service; no business rules."""
