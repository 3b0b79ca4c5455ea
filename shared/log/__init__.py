"""The event log: envelopes, the hash chain, signatures, appends and reads."""
