"""A PlainConvUNet with the module tree of dynamic_network_architectures (nnU-Net v2's default network).

dynamic_network_architectures is not installed here (and cannot be), so these modules are written again
from its documented structure. What matters is that the module tree, and therefore every state-dict key,
is the one nnU-Net v2 writes, because SegWeb's importer reads real nnU-Net checkpoints by those names:

    encoder.stages.{s}.0.convs.{c}.conv.weight / .bias        (Conv3d; stride on the first conv of a stage)
    encoder.stages.{s}.0.convs.{c}.norm.weight / .bias        (InstanceNorm3d, affine)
    encoder.stages.{s}.0.convs.{c}.all_modules.{0,1}.*        (the same tensors again: all_modules is an
                                                              nn.Sequential over conv, norm, nonlin)
    decoder.encoder.*                                         (the decoder keeps a reference to the encoder)
    decoder.stages.{i}.convs.{c}.conv.* / .norm.* / .all_modules.*
    decoder.transpconvs.{i}.weight / .bias                    (ConvTranspose3d, kernel = stride)
    decoder.seg_layers.{i}.weight / .bias                     (1x1x1 Conv3d; the last one is full resolution)

Decoder stages are ordered from the bottleneck up: decoder stage i upsamples from encoder stage
n_stages-1-i and concatenates the skip of encoder stage n_stages-2-i (upsampled features first).
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class ConvDropoutNormReLU(nn.Module):
    """Conv -> (dropout) -> norm -> nonlin, with 'same' padding; attribute names as in nnU-Net."""

    def __init__(self, input_channels: int, output_channels: int, kernel_size: Sequence[int],
                 stride: Sequence[int], conv_bias: bool, norm_kwargs: dict, nonlin_kwargs: dict):
        super().__init__()
        self.input_channels = input_channels
        self.output_channels = output_channels
        self.stride = list(stride)
        self.conv = nn.Conv3d(input_channels, output_channels, list(kernel_size), list(stride),
                              padding=[(k - 1) // 2 for k in kernel_size], dilation=1, bias=conv_bias)
        self.norm = nn.InstanceNorm3d(output_channels, **norm_kwargs)
        self.nonlin = nn.LeakyReLU(**nonlin_kwargs)
        # The same three modules registered a second time: this is what gives nnU-Net checkpoints their
        # duplicate all_modules.* keys.
        self.all_modules = nn.Sequential(self.conv, self.norm, self.nonlin)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.all_modules(x)


class StackedConvBlocks(nn.Module):
    """num_convs ConvDropoutNormReLU blocks; only the first one carries the stage's stride."""

    def __init__(self, num_convs: int, input_channels: int, output_channels: int,
                 kernel_size: Sequence[int], initial_stride: Sequence[int], conv_bias: bool,
                 norm_kwargs: dict, nonlin_kwargs: dict):
        super().__init__()
        blocks = [ConvDropoutNormReLU(input_channels, output_channels, kernel_size, initial_stride,
                                      conv_bias, norm_kwargs, nonlin_kwargs)]
        blocks += [ConvDropoutNormReLU(output_channels, output_channels, kernel_size, [1, 1, 1],
                                       conv_bias, norm_kwargs, nonlin_kwargs)
                   for _ in range(1, num_convs)]
        self.convs = nn.Sequential(*blocks)
        self.output_channels = output_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.convs(x)


class PlainConvEncoder(nn.Module):
    """Strided-conv encoder ('conv' pooling): stage s = nn.Sequential(StackedConvBlocks)."""

    def __init__(self, input_channels: int, features_per_stage: Sequence[int],
                 kernel_sizes: Sequence[Sequence[int]], strides: Sequence[Sequence[int]],
                 n_conv_per_stage: Sequence[int], conv_bias: bool, norm_kwargs: dict, nonlin_kwargs: dict):
        super().__init__()
        stages = []
        for s, features in enumerate(features_per_stage):
            # The extra nn.Sequential level is why the keys read encoder.stages.{s}.0.convs...
            stages.append(nn.Sequential(StackedConvBlocks(
                n_conv_per_stage[s], input_channels, features, kernel_sizes[s], strides[s], conv_bias,
                norm_kwargs, nonlin_kwargs)))
            input_channels = features
        self.stages = nn.Sequential(*stages)
        self.output_channels = list(features_per_stage)
        self.strides = [list(s) for s in strides]
        self.kernel_sizes = [list(k) for k in kernel_sizes]
        self.conv_bias = conv_bias
        self.norm_kwargs = norm_kwargs
        self.nonlin_kwargs = nonlin_kwargs

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        skips = []
        for stage in self.stages:
            x = stage(x)
            skips.append(x)
        return skips


class UNetDecoder(nn.Module):
    """Transposed-conv decoder with a segmentation head per stage (used for deep supervision)."""

    def __init__(self, encoder: PlainConvEncoder, num_classes: int, n_conv_per_stage: Sequence[int],
                 deep_supervision: bool):
        super().__init__()
        self.deep_supervision = deep_supervision
        # Registered first, so decoder.encoder.* comes before decoder.stages.* in the state dict, as in nnU-Net.
        self.encoder = encoder
        self.num_classes = num_classes
        n = len(encoder.output_channels)
        stages, transpconvs, seg_layers = [], [], []
        for s in range(1, n):
            below = encoder.output_channels[-s]
            skip = encoder.output_channels[-(s + 1)]
            stride = encoder.strides[-s]
            transpconvs.append(nn.ConvTranspose3d(below, skip, stride, stride, bias=encoder.conv_bias))
            stages.append(StackedConvBlocks(
                n_conv_per_stage[s - 1], 2 * skip, skip, encoder.kernel_sizes[-(s + 1)], [1, 1, 1],
                encoder.conv_bias, encoder.norm_kwargs, encoder.nonlin_kwargs))
            seg_layers.append(nn.Conv3d(skip, num_classes, 1, 1, 0, bias=True))
        self.stages = nn.ModuleList(stages)
        self.transpconvs = nn.ModuleList(transpconvs)
        self.seg_layers = nn.ModuleList(seg_layers)

    def forward(self, skips: list[torch.Tensor]):
        x = skips[-1]
        outputs = []
        last = len(self.stages) - 1
        for s in range(len(self.stages)):
            x = self.transpconvs[s](x)
            x = torch.cat((x, skips[-(s + 2)]), 1)
            x = self.stages[s](x)
            if self.deep_supervision:
                outputs.append(self.seg_layers[s](x))
            elif s == last:
                outputs.append(self.seg_layers[-1](x))
        outputs = outputs[::-1]  # full resolution first
        return outputs if self.deep_supervision else outputs[0]


class PlainConvUNet(nn.Module):
    """nnU-Net v2's PlainConvUNet for 3D input (Conv3d, InstanceNorm3d, LeakyReLU, no dropout)."""

    def __init__(self, input_channels: int, n_stages: int, features_per_stage: Sequence[int],
                 kernel_sizes: Sequence[Sequence[int]], strides: Sequence[Sequence[int]],
                 n_conv_per_stage: Sequence[int], num_classes: int, n_conv_per_stage_decoder: Sequence[int],
                 conv_bias: bool, norm_op_kwargs: dict, nonlin_kwargs: dict, deep_supervision: bool = False):
        super().__init__()
        if not (len(features_per_stage) == len(kernel_sizes) == len(strides) == len(n_conv_per_stage) == n_stages):
            raise ValueError("features_per_stage, kernel_sizes, strides and n_conv_per_stage need n_stages entries")
        if len(n_conv_per_stage_decoder) != n_stages - 1:
            raise ValueError("n_conv_per_stage_decoder needs n_stages - 1 entries")
        self.encoder = PlainConvEncoder(input_channels, features_per_stage, kernel_sizes, strides,
                                        n_conv_per_stage, conv_bias, norm_op_kwargs, nonlin_kwargs)
        self.decoder = UNetDecoder(self.encoder, num_classes, n_conv_per_stage_decoder, deep_supervision)

    def forward(self, x: torch.Tensor):
        return self.decoder(self.encoder(x))

    def initialize(self) -> None:
        """He (Kaiming normal) init with negative slope 1e-2 and zero biases, as nnU-Net's InitWeights_He."""
        for module in self.modules():
            if isinstance(module, (nn.Conv3d, nn.ConvTranspose3d)):
                nn.init.kaiming_normal_(module.weight, a=1e-2)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)


def build_from_arch_kwargs(arch_kwargs: dict, input_channels: int, num_classes: int,
                           deep_supervision: bool) -> PlainConvUNet:
    """Builds the network from a plans.json architecture.arch_kwargs block (the same dict nnU-Net reads)."""
    expected = {
        "conv_op": "torch.nn.modules.conv.Conv3d",
        "norm_op": "torch.nn.modules.instancenorm.InstanceNorm3d",
        "dropout_op": None,
        "nonlin": "torch.nn.LeakyReLU",
    }
    for key, value in expected.items():
        if arch_kwargs[key] != value:
            raise ValueError(f"this demo network supports {key}={value!r} only, plans say {arch_kwargs[key]!r}")
    return PlainConvUNet(
        input_channels=input_channels,
        n_stages=arch_kwargs["n_stages"],
        features_per_stage=arch_kwargs["features_per_stage"],
        kernel_sizes=arch_kwargs["kernel_sizes"],
        strides=arch_kwargs["strides"],
        n_conv_per_stage=arch_kwargs["n_conv_per_stage"],
        num_classes=num_classes,
        n_conv_per_stage_decoder=arch_kwargs["n_conv_per_stage_decoder"],
        conv_bias=arch_kwargs["conv_bias"],
        norm_op_kwargs=arch_kwargs["norm_op_kwargs"],
        nonlin_kwargs=arch_kwargs["nonlin_kwargs"],
        deep_supervision=deep_supervision,
    )
