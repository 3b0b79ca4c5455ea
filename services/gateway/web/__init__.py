"""The dashboard: server-rendered pages in Bahasa Indonesia (or English), sign-in, downloads."""
