"""What a base image's platform means for the wheels downloaded for it."""

from __future__ import annotations

from mono.external.docker import ImagePlatform


def test_pip_download_options_pick_the_images_python_and_glibc() -> None:
    options = ImagePlatform("3.11", "x86_64", "2.36").pip_download_options()
    assert options[:7] == [
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        "3.11",
        "--abi",
        "cp311",
    ]
    platforms = [options[i + 1] for i, option in enumerate(options) if option == "--platform"]
    assert platforms[0] == "manylinux_2_36_x86_64" and "manylinux_2_5_x86_64" in platforms
    assert "manylinux_2_37_x86_64" not in platforms and platforms[-1] == "manylinux1_x86_64"
