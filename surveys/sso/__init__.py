"""Single sign-on: each organisation's OpenID Connect provider, its configuration and the sign-in flow."""
