"""Helpers of the dashboard's end-to-end tests: seed data, the served API, headless Chromium."""
