"""PyTorch references of two more depthblocks presets, for the inference timings of the ONNX Runtime table.

- lraspp_mobilenetv3: torchvision's LR-ASPP MobileNetV3-Large (dilated backbone, 21 classes, output resized to
  the input), then a 1x1 conv 21 -> 1 and a sigmoid, as the Maastricht brief's model (3.2 M parameters).
- unet_resnet34: torchvision's ResNet-34 as encoder with a U-Net decoder of segmentation_models.pytorch's layout
  (blocks of 256, 128, 64, 32, 16 channels: nearest x2 up-sampling to the skip, concat, two conv3x3-BN-ReLU; the
  last block without skip; a conv3x3 head to 1 channel). 24.4 M parameters.

Used by densedepth.py's --other NAME:HxW:B. Random weights: these are for timing only.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class LrasppDepth(nn.Module):
    def __init__(self):
        super().__init__()
        self.lraspp = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21)
        self.project = nn.Conv2d(21, 1, 1)

    def forward(self, x):
        return torch.sigmoid(self.project(self.lraspp(x)["out"]))


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UnetBlock(nn.Module):
    def __init__(self, cin, cskip, cout):
        super().__init__()
        self.conv1 = conv_bn_relu(cin + cskip, cout)
        self.conv2 = conv_bn_relu(cout, cout)

    def forward(self, x, skip=None, size=None):
        x = F.interpolate(x, size=skip.shape[2:] if skip is not None else size, mode="nearest")
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.conv2(self.conv1(x))


class UnetResnet34(nn.Module):
    def __init__(self, channels=(256, 128, 64, 32, 16)):
        super().__init__()
        r = torchvision.models.resnet34(weights=None)
        self.stem = nn.Sequential(r.conv1, r.bn1, r.relu)
        self.pool = r.maxpool
        self.layers = nn.ModuleList([r.layer1, r.layer2, r.layer3, r.layer4])
        skips = [256, 128, 64, 64, 0]
        cins = [512, *channels[:-1]]
        self.blocks = nn.ModuleList([UnetBlock(cins[i], skips[i], channels[i]) for i in range(5)])
        self.head = nn.Conv2d(channels[-1], 1, 3, padding=1)

    def forward(self, x):
        size = x.shape[2:]
        f1 = self.stem(x)
        f = self.pool(f1)
        feats = [f1]
        for layer in self.layers:
            f = layer(f)
            feats.append(f)
        skips = [feats[3], feats[2], feats[1], feats[0], None]
        y = feats[4]
        for block, skip in zip(self.blocks, skips):
            y = block(y, skip, size)
        return self.head(y)


MODELS = {"lraspp_mobilenetv3": LrasppDepth, "unet_resnet34": UnetResnet34}
