"""The citizen side of 1177: inbox pages, notifications, read status, paper outbox, demo."""
