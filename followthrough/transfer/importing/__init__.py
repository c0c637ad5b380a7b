"""Importing data (DESIGN C7): contacts from CSV, XLSX and vCard; invoice history from CSV."""
