"""The bottom layer: landmark names, pose data and its cache, joint geometry, the measure
kinds, units, the one user-facing error, atomic writes, defaults, validated data files."""
