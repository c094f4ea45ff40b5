"""Frame sources: the camera, video files, still images and the synthetic athlete."""
