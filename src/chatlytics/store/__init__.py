"""Storage: schema, engine, the batched writer and the projections it keeps up to date."""
