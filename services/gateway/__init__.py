"""The gateway: the public HTTP contract, sign-in and the dashboard; no state of its own."""
