"""The deterministic demo city A市: generated from a seed, written as files that `yiwang graph load` reads."""
