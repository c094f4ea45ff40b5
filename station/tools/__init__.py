"""Tools around the station: analyse a clip, calibrate on labelled clips, benchmarks, soak and view checks."""
