"""Long work as jobs: SAQ's queue (through litestar-saq) in production, in-process on the embedded default."""
