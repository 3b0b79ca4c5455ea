"""The audit: chain and signature checks, verdicts, digests and signed checkpoints."""
