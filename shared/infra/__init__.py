"""Where the infrastructure comes from: given URLs, containers, or embedded binaries."""
