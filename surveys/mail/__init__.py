"""E-mail: invitations and reminders, composed per language, sent through SMTP with an outbox."""
