"""Outreach beyond campaigns (DESIGN C3, C6): sharing an article, 1:1 email and replies, the print
queue, the daily digest and the calendar feed. Services and selectors only; the few rows they need
live on accounts (digest, calendar and inbound settings) and activity (interactions)."""
