"""A photo or a clip through segmentation, style and composition: Session, video, into-painting, evaluation."""
