"""The pose stage: MoveNet on LiteRT, turning frames into 17 keypoints."""
