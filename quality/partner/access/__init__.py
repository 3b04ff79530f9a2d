"""The hub's time-boxed access to this partner's raw measurements: a partner
admin grants one named hub user read access until a date, and may revoke it."""
