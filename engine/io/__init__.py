"""Problems in and out: named presets (data/) and scenario files."""
