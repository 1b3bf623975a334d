"""Replies by email: reading an inbound message (parse), its new text (quotes, html), and the two ways
it arrives: the provider's webhook (webhook) and a local Maildir (the read_reply_maildir command).
What it does to a thread is support.services.inbound."""
