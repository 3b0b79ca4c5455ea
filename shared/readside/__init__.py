"""The read side: projections, the projector, one apply path, rebuilds and replays."""
