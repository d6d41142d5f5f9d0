"""An independent PyTorch re-implementation of dynamic_network_architectures' PlainConvUNet / ResidualEncoderUNet with the
same state-dict key names, including the duplicate all_modules.* and decoder.encoder.* entries nnU-Net's modules produce.
build(spec, input_channels, classes) makes one; spec keys: class, kernels, strides, features, n_enc, n_dec, stem_channels?."""
import torch
from torch import nn

SLOPE = 0.01
CONV_BIAS = True
AFFINE = True
dims = 3
Conv = ConvT = Norm = AvgPool = None


def configure(spatial_dims):
    global dims, Conv, ConvT, Norm, AvgPool
    dims = spatial_dims
    Conv = nn.Conv3d if dims == 3 else nn.Conv2d
    ConvT = nn.ConvTranspose3d if dims == 3 else nn.ConvTranspose2d
    Norm = nn.InstanceNorm3d if dims == 3 else nn.InstanceNorm2d
    AvgPool = nn.AvgPool3d if dims == 3 else nn.AvgPool2d


class ConvDropoutNormReLU(nn.Module):
    def __init__(self, cin, cout, kernel, stride, bias, nonlin):
        super().__init__()
        self.conv = Conv(cin, cout, kernel, stride, padding=[(k - 1) // 2 for k in kernel], bias=bias)
        self.norm = Norm(cout, eps=1e-5, affine=AFFINE)
        ops = [self.conv, self.norm]
        if nonlin:
            self.nonlin = nn.LeakyReLU(SLOPE, inplace=True)
            ops.append(self.nonlin)
        # dynamic_network_architectures registers the same modules again here: duplicate state-dict keys.
        self.all_modules = nn.Sequential(*ops)

    def forward(self, x):
        return self.all_modules(x)


class StackedConvBlocks(nn.Module):
    def __init__(self, n, cin, cout, kernel, first_stride, bias):
        super().__init__()
        ones = [1] * len(kernel)
        self.convs = nn.Sequential(*[ConvDropoutNormReLU(cin if i == 0 else cout, cout, kernel,
                                                         first_stride if i == 0 else ones, bias, True) for i in range(n)])

    def forward(self, x):
        return self.convs(x)


class BasicBlockD(nn.Module):
    def __init__(self, cin, cout, kernel, stride, bias):
        super().__init__()
        ones = [1] * len(kernel)
        self.conv1 = ConvDropoutNormReLU(cin, cout, kernel, stride, bias, True)
        self.conv2 = ConvDropoutNormReLU(cout, cout, kernel, ones, bias, False)
        self.nonlin2 = nn.LeakyReLU(SLOPE, inplace=True)
        has_stride = any(s != 1 for s in stride)
        ops = []
        if has_stride:
            ops.append(AvgPool(stride, stride))
        if cin != cout:
            ops.append(ConvDropoutNormReLU(cin, cout, ones, ones, False, False))
        self.skip = nn.Sequential(*ops) if ops else nn.Identity()

    def forward(self, x):
        residual = self.skip(x)
        out = self.conv2(self.conv1(x))
        out += residual
        return self.nonlin2(out)


class StackedResidualBlocks(nn.Module):
    def __init__(self, n, cin, cout, kernel, stride, bias):
        super().__init__()
        ones = [1] * len(kernel)
        self.blocks = nn.Sequential(*[BasicBlockD(cin if i == 0 else cout, cout, kernel, stride if i == 0 else ones, bias)
                                      for i in range(n)])

    def forward(self, x):
        return self.blocks(x)


class PlainConvEncoder(nn.Module):
    def __init__(self, cin, s):
        super().__init__()
        stages = []
        for i in range(len(s["features"])):
            stages.append(nn.Sequential(StackedConvBlocks(s["n_enc"][i], cin, s["features"][i], s["kernels"][i], s["strides"][i], CONV_BIAS)))
            cin = s["features"][i]
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        skips = []
        for st in self.stages:
            x = st(x)
            skips.append(x)
        return skips


class ResidualEncoder(nn.Module):
    def __init__(self, cin, s):
        super().__init__()
        stem = s.get("stem_channels") or s["features"][0]
        self.stem = StackedConvBlocks(1, cin, stem, s["kernels"][0], [1] * dims, CONV_BIAS)
        cin = stem
        stages = []
        for i in range(len(s["features"])):
            stages.append(StackedResidualBlocks(s["n_enc"][i], cin, s["features"][i], s["kernels"][i], s["strides"][i], CONV_BIAS))
            cin = s["features"][i]
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        x = self.stem(x)
        skips = []
        for st in self.stages:
            x = st(x)
            skips.append(x)
        return skips


class UNetDecoder(nn.Module):
    def __init__(self, encoder, s, classes):
        super().__init__()
        self.encoder = encoder  # as in dynamic_network_architectures: decoder.encoder.* duplicates encoder.*
        f, n = s["features"], len(s["features"])
        stages, transp, seg = [], [], []
        for i in range(1, n):
            below, skip = f[-i], f[-(i + 1)]
            stride = s["strides"][-i]
            transp.append(ConvT(below, skip, stride, stride, bias=CONV_BIAS))
            stages.append(StackedConvBlocks(s["n_dec"][i - 1], 2 * skip, skip, s["kernels"][-(i + 1)], [1] * dims, CONV_BIAS))
            seg.append(Conv(skip, classes, 1, 1, 0, bias=True))
        self.stages = nn.ModuleList(stages)
        self.transpconvs = nn.ModuleList(transp)
        self.seg_layers = nn.ModuleList(seg)

    def forward(self, skips):
        x = skips[-1]
        for i in range(len(self.stages)):
            x = self.transpconvs[i](x)
            x = torch.cat((x, skips[-(i + 2)]), 1)
            x = self.stages[i](x)
        return self.seg_layers[-1](x)


class UNet(nn.Module):
    def __init__(self, s, cin, classes):
        super().__init__()
        self.encoder = PlainConvEncoder(cin, s) if s["class"] == "PlainConvUNet" else ResidualEncoder(cin, s)
        self.decoder = UNetDecoder(self.encoder, s, classes)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def build(spec, input_channels, classes):
    """conv_bias (True), affine (True) and negative_slope (0.01) in spec change every block, as arch_kwargs do."""
    global SLOPE, CONV_BIAS, AFFINE
    SLOPE = 0.0 if spec.get("relu") else spec.get("negative_slope", 0.01)  # LeakyReLU(0) is ReLU
    CONV_BIAS, AFFINE = spec.get("conv_bias", True), spec.get("affine", True)
    configure(len(spec["kernels"][0]))
    return UNet(spec, input_channels, classes)
