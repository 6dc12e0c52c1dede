"""Accounts, passwords, tokens (own HS256 and Better Auth's EdDSA/JWKS), and their routes."""
