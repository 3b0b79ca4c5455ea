"""The service edge: the kit, RPC, facts of other services and long jobs."""
