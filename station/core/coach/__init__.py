"""The coach: pure code from keypoints to posture, reps and faults."""
