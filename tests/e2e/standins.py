"""Stand-ins for the vendor software the workstation recipe installs, built at run time with
archive.py. None of them is the real thing, and every package says so in its Description; each prints
exactly what the real program prints in tests/fixtures/real/ (SOURCES.md there), or a text derived
from such a capture where none exists (marked "derived" below).

    ubuntu = build_ubuntu_archive(www, key)            # www/ubuntu: jammy and noble suites
    cuda = build_cuda_repo(www + "/compute/cuda/repos/ubuntu2204/x86_64", cuda_key, libcudnn)
    deb = build_cuda_local_installer(out_dir, key, libcudnn)   # the offline .debs of NVIDIA's guide
    script = anaconda_installer()                       # bytes of a batch-mode installer

In the Ubuntu-shaped archive ("restricted" and "main" of <codename>-updates, like Ubuntu's):
  ubuntu-drivers-common  /usr/bin/ubuntu-drivers: `devices` in the format of the real capture (for the
                         Tesla T4 nvidia-smi reports), `list`, `install [--gpgpu]` (apt-get install of
                         nvidia-driver-550, or of the headless server driver)
  nvidia-driver-550      550.127.08-0ubuntu1: nvidia-utils-550 (nvidia-smi), nvidia-compute-utils-550
                         (nvidia-persistenced and Ubuntu's nvidia-persistenced.service), libnvidia-compute-550
  nvidia-headless-550-server (nvidia-compute-utils-550-server), nvidia-utils-550-server: what
                         `install --gpgpu` installs
  nvidia-driver-535      535.183.01-0ubuntu1 (too old for CUDA 12.4): libnvidia-compute-535,
                         nvidia-compute-utils-535; no nvidia-smi
In a CUDA repository (flat, signed like NVIDIA's):
  cuda-toolkit-12-4 -> cuda-nvcc-12-4 (/usr/local/cuda-12.4/bin/nvcc --version prints the 12.4 capture;
                         with nvcc_release="12.2" a banner derived from it), /usr/local/cuda by
                         update-alternatives as NVIDIA's packages do
  cudnn9-cuda-12 -> libcudnn9-cuda-12 (a real shared library, built here with the host's compiler),
                         libcudnn9-dev-cuda-12 (cudnn.h); libcudnn9-samples (mnistCUDNN: a Makefile
                         for the system compiler, prints "Test passed!")
"""

import os
import shutil
import subprocess
import tempfile

import archive
import rootfs

DRIVER = "550.127.08"
DRIVER_DEB = DRIVER + "-0ubuntu1"
OLD_DRIVER = "535.183.01"
OLD_DRIVER_DEB = OLD_DRIVER + "-0ubuntu1"
CUDNN_DEB = "9.3.0.75-1"
CODENAMES = ("jammy", "noble")
CUDA_DISTROS = {"22.04": "ubuntu2204", "24.04": "ubuntu2404"}
CUDA_LOCAL_VERSION = "12.4.1-550.54.15-1"
ANACONDA_FILE = "Anaconda3-2023.07-1-Linux-x86_64.sh"
STANDIN = "aiprov end-to-end stand-in, not the real package: "
TIMEOUT_S = 120


def real(name):
    with open(os.path.join(rootfs.REAL_FIXTURES, name)) as f:
        return f.read()


def sh(body):
    """A POSIX shell script: the body after a #!/bin/sh line."""
    return ("#!/bin/sh\n" + body, 0o755)


def heredoc(text, marker="AIPROV_EOF"):
    """`cat` of text exactly (a quoted here-document: nothing in it is expanded)."""
    assert marker not in text
    return f"cat <<'{marker}'\n{text}{marker}\n"


# --- Ubuntu: ubuntu-drivers-common and the driver ---------------------------------------------------

# The format of tests/fixtures/real/ubuntu-drivers-devices-rtx2080ti-515.txt (header, aligned keys,
# the driver lines, a blank line), for the Tesla T4 of the nvidia-smi capture and the drivers of a
# 550-era Ubuntu. Derived: the T4's modalias (10de:1eb8, subsystem 10de:12a2, class 0302).
DEVICES = """\
== /sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0 ==
modalias : pci:v000010DEd00001EB8sv000010DEsd000012A2bc03sc02i00
vendor   : NVIDIA Corporation
model    : TU104GL [Tesla T4]
driver   : nvidia-driver-535 - distro non-free
driver   : nvidia-driver-550-server - distro non-free
driver   : nvidia-driver-535-server - distro non-free
driver   : nvidia-driver-550 - distro non-free recommended
driver   : xserver-xorg-video-nouveau - distro free builtin

"""
# The format of tests/fixtures/real/ubuntu-drivers-list-22.04-hwe.txt.
LIST = """\
nvidia-driver-550, (kernel modules provided by nvidia-dkms-550)
nvidia-driver-535, (kernel modules provided by nvidia-dkms-535)
"""
LIST_GPGPU = """\
nvidia-driver-550-server, (kernel modules provided by nvidia-dkms-550-server)
nvidia-driver-535-server, (kernel modules provided by nvidia-dkms-535-server)
"""

UBUNTU_DRIVERS = f"""\
# {STANDIN}ubuntu-drivers. `devices` and `list` print what Ubuntu's prints for a Tesla T4;
# `install` installs the driver it recommends (with --gpgpu: the headless server driver).
set -eu
cmd="${{1:-}}"
[ $# -gt 0 ] && shift
gpgpu=no
for a in "$@"; do [ "$a" = "--gpgpu" ] && gpgpu=yes; done
case "$cmd" in
devices)
{heredoc(DEVICES)};;
list)
    if [ "$gpgpu" = yes ]; then
{heredoc(LIST_GPGPU)}    else
{heredoc(LIST)}    fi;;
install)
    if [ "$gpgpu" = yes ]; then set -- nvidia-headless-550-server nvidia-utils-550-server
    else set -- nvidia-driver-550; fi
    echo "ubuntu-drivers (stand-in): installing $*"
    DEBIAN_FRONTEND=noninteractive exec apt-get install -y -q "$@";;
*)
    echo "usage: ubuntu-drivers devices|list|install [--gpgpu] (stand-in)" >&2
    exit 2;;
esac
"""


def nvidia_smi_script(version):
    """nvidia-smi for a Tesla T4 with driver `version`: the plain call prints the capture (its
    driver line is 550.127.08), the GPU query prints the CSV format of the captures."""
    table = real("nvidia-smi-550.127.08-tesla-t4-cuda12.4.txt").replace(DRIVER, version)
    csv = f"name, driver_version, memory.total [MiB]\nTesla T4, {version}, 15360 MiB\n"
    return sh(f"""\
# {STANDIN}nvidia-smi (Tesla T4, driver {version}).
if [ $# -eq 0 ]; then
{heredoc(table)}    exit 0
fi
query=; format=
for a in "$@"; do
    case "$a" in
    --query-gpu=*) query="${{a#--query-gpu=}}";;
    --format=*) format="${{a#--format=}}";;
    *) echo "nvidia-smi (stand-in): unsupported argument $a" >&2; exit 2;;
    esac
done
if [ "$query" = "name,driver_version,memory.total" ] && [ "$format" = csv ]; then
{heredoc(csv)}    exit 0
fi
echo "nvidia-smi (stand-in): supports no arguments, or --query-gpu=name,driver_version,memory.total --format=csv" >&2
exit 2
""")


# Ubuntu's unit (nvidia-compute-utils-NNN): persistence mode off, stopped when unneeded, no [Install].
PERSISTENCED_UNIT = """\
[Unit]
Description=NVIDIA Persistence Daemon
Wants=syslog.target
StopWhenUnneeded=true
Before=systemd-backlight@backlight:nvidia_0.service

[Service]
Type=forking
ExecStart=/usr/bin/nvidia-persistenced --user nvidia-persistenced --no-persistence-mode --verbose
ExecStopPost=/bin/rm -rf /var/run/nvidia-persistenced
"""
PERSISTENCED_USER = ("getent passwd nvidia-persistenced >/dev/null || useradd --system --no-create-home "
                     "--home-dir /nonexistent --shell /usr/sbin/nologin nvidia-persistenced\n")


def compute_utils(name, version):
    """nvidia-compute-utils-NNN[-server]: nvidia-persistenced and Ubuntu's unit for it (each flavour
    conflicts with the others, which ship the same files)."""
    return archive.Package(name, version, arch="amd64", section="restricted/utils",
                           description=STANDIN + "NVIDIA compute utilities (nvidia-persistenced)",
                           extra_control={"Conflicts": "nvidia-compute-utils", "Provides": "nvidia-compute-utils",
                                          "Replaces": "nvidia-compute-utils"},
                           files={"/usr/bin/nvidia-persistenced": sh("# stand-in: does nothing\nexit 0\n"),
                                  "/lib/systemd/system/nvidia-persistenced.service": PERSISTENCED_UNIT},
                           scripts={"postinst": PERSISTENCED_USER})


def driver_packages():
    """The stand-in driver packages: (component, Package)."""
    v = DRIVER_DEB
    out = [
        archive.Package("libnvidia-compute-550", v, arch="amd64", section="restricted/libs",
                        description=STANDIN + "NVIDIA libcompute package",
                        files={"/usr/share/doc/libnvidia-compute-550/STAND-IN": "stand-in, no libraries\n"}),
        archive.Package("nvidia-utils-550", v, arch="amd64", section="restricted/utils",
                        description=STANDIN + "NVIDIA driver support binaries (nvidia-smi)",
                        extra_control={"Conflicts": "nvidia-utils-550-server"},
                        files={"/usr/bin/nvidia-smi": nvidia_smi_script(DRIVER)}),
        compute_utils("nvidia-compute-utils-550", v),
        archive.Package("nvidia-driver-550", v, arch="amd64", section="restricted/libs",
                        description=STANDIN + "NVIDIA driver metapackage",
                        depends=[f"nvidia-utils-550 (= {v})", f"nvidia-compute-utils-550 (= {v})",
                                 f"libnvidia-compute-550 (= {v})"]),
        archive.Package("nvidia-utils-550-server", v, arch="amd64", section="restricted/utils",
                        description=STANDIN + "NVIDIA server driver support binaries (nvidia-smi)",
                        extra_control={"Conflicts": "nvidia-utils-550"},
                        files={"/usr/bin/nvidia-smi": nvidia_smi_script(DRIVER)}),
        compute_utils("nvidia-compute-utils-550-server", v),
        archive.Package("nvidia-headless-550-server", v, arch="amd64", section="restricted/libs",
                        description=STANDIN + "NVIDIA headless server driver metapackage",
                        depends=[f"nvidia-compute-utils-550-server (= {v})"]),
        archive.Package("libnvidia-compute-535", OLD_DRIVER_DEB, arch="amd64", section="restricted/libs",
                        description=STANDIN + "NVIDIA libcompute package (535)",
                        files={"/usr/share/doc/libnvidia-compute-535/STAND-IN": "stand-in, no libraries\n"}),
        compute_utils("nvidia-compute-utils-535", OLD_DRIVER_DEB),
        archive.Package("nvidia-driver-535", OLD_DRIVER_DEB, arch="amd64", section="restricted/libs",
                        description=STANDIN + "NVIDIA driver metapackage (535, too old for CUDA 12.4)",
                        depends=[f"libnvidia-compute-535 (= {OLD_DRIVER_DEB})",
                                 f"nvidia-compute-utils-535 (= {OLD_DRIVER_DEB})"]),
    ]
    return [("restricted", p) for p in out]


def ubuntu_drivers_common():
    return archive.Package("ubuntu-drivers-common", "1:0.9.6.2~0.22.04.8", arch="amd64", section="admin",
                           description=STANDIN + "detect and install additional Ubuntu driver packages",
                           files={"/usr/bin/ubuntu-drivers": sh(UBUNTU_DRIVERS)})


def build_ubuntu_archive(www, key):
    """An Ubuntu-shaped archive www/ubuntu, signed with key, with the driver stand-ins in
    <codename>-updates of jammy and noble (every suite and component has an index)."""
    repo = archive.Archive(www, "ubuntu", key)
    suites = []
    for codename in CODENAMES:
        repo.add(f"{codename}-updates", "main", ubuntu_drivers_common())
        for component, package in driver_packages():
            repo.add(f"{codename}-updates", component, package)
        suites += [codename, f"{codename}-updates", f"{codename}-backports", f"{codename}-security"]
    repo.build(suites, ["main", "restricted", "universe", "multiverse"])
    return repo


# --- CUDA and cuDNN -----------------------------------------------------------------------------------

def nvcc_text(release):
    """The `nvcc --version` banner: the 12.4 capture, or for 12.2 one derived from it."""
    text = real("nvcc-version-12.4.99.txt")
    if release == "12.4":
        return text
    if release == "12.2":  # derived: the release, version and build lines of the 12.4 capture changed
        return (text.replace("release 12.4, V12.4.99", "release 12.2, V12.2.140")
                .replace("cuda_12.4.r12.4", "cuda_12.2.r12.2"))
    raise ValueError(release)


def cuda_packages(nvcc_release="12.4"):
    nvcc = sh(f"""\
# {STANDIN}nvcc: answers --version only.
if [ "$*" = "--version" ] || [ "$*" = "-V" ]; then
{heredoc(nvcc_text(nvcc_release))}    exit 0
fi
echo "nvcc (stand-in): only --version" >&2
exit 1
""")
    return [
        archive.Package("cuda-nvcc-12-4", "12.4.99-1", arch="amd64", section="devel",
                        description=STANDIN + "CUDA nvcc",
                        files={"/usr/local/cuda-12.4/bin/nvcc": nvcc}),
        archive.Package("cuda-toolkit-12-4", "12.4.0-1", arch="amd64", section="devel",
                        description=STANDIN + "CUDA Toolkit 12.4 meta-package",
                        depends=["cuda-nvcc-12-4 (>= 12.4.99)"],
                        files={"/usr/local/cuda-12.4/version.json": '{"cuda": {"version": "12.4.0"}}\n',
                               "/usr/local/cuda-12.4/lib64/STAND-IN": "no libraries in the stand-in\n"},
                        # /usr/local/cuda is an alternative, as NVIDIA's cuda-toolkit-config-common makes it
                        scripts={"postinst": "update-alternatives --install /usr/local/cuda cuda "
                                             "/usr/local/cuda-12.4 124\n",
                                 "prerm": "update-alternatives --remove cuda /usr/local/cuda-12.4\n"}),
    ]


CUDNN_VERSION_H = """\
/* aiprov end-to-end stand-in for cuDNN's version header. */
#ifndef CUDNN_VERSION_H_
#define CUDNN_VERSION_H_
#define CUDNN_MAJOR 9
#define CUDNN_MINOR 3
#define CUDNN_PATCHLEVEL 0
#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)
#endif
"""
CUDNN_H = """\
/* aiprov end-to-end stand-in for cuDNN: a version and a handle, nothing else. */
#ifndef CUDNN_H_
#define CUDNN_H_
#include <stddef.h>
#include "cudnn_version.h"
#ifdef __cplusplus
extern "C" {
#endif
typedef enum { CUDNN_STATUS_SUCCESS = 0, CUDNN_STATUS_BAD_PARAM = 3 } cudnnStatus_t;
typedef struct cudnnContext *cudnnHandle_t;
size_t cudnnGetVersion(void);
cudnnStatus_t cudnnCreate(cudnnHandle_t *handle);
cudnnStatus_t cudnnDestroy(cudnnHandle_t handle);
#ifdef __cplusplus
}
#endif
#endif
"""
# No libc: the library loads on any glibc, whatever compiler built it.
CUDNN_C = """\
#include "cudnn.h"
struct cudnnContext { int magic; };
static struct cudnnContext the_context = {90300};
size_t cudnnGetVersion(void) { return CUDNN_VERSION; }
cudnnStatus_t cudnnCreate(cudnnHandle_t *handle) {
  if (!handle) return CUDNN_STATUS_BAD_PARAM;
  *handle = &the_context;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
  return handle == &the_context ? CUDNN_STATUS_SUCCESS : CUDNN_STATUS_BAD_PARAM;
}
"""
MNIST_CPP = """\
// aiprov end-to-end stand-in for NVIDIA's mnistCUDNN sample: asks the (stand-in) cuDNN library for its
// version and a handle, and prints the sample's success line.
#include <cstdio>
#include <cudnn.h>

int main() {
  std::printf("Executing: mnistCUDNN\\n");
  size_t version = cudnnGetVersion();
  std::printf("cudnnGetVersion() : %zu , CUDNN_VERSION from cudnn.h : %d (%d.%d.%d)\\n", version, CUDNN_VERSION,
              CUDNN_MAJOR, CUDNN_MINOR, CUDNN_PATCHLEVEL);
  cudnnHandle_t handle = nullptr;
  if (cudnnCreate(&handle) != CUDNN_STATUS_SUCCESS || cudnnDestroy(handle) != CUDNN_STATUS_SUCCESS) {
    std::printf("cudnnCreate/cudnnDestroy failed\\n");
    return 1;
  }
  if (version != CUDNN_VERSION) {
    std::printf("library and header versions differ\\n");
    return 1;
  }
  std::printf("\\nTest passed!\\n");
  return 0;
}
"""
MNIST_MAKEFILE = """\
# aiprov end-to-end stand-in for the mnistCUDNN sample's Makefile: the system compiler, the cuDNN
# header and library where libcudnn9-dev-cuda-12 puts them.
all: mnistCUDNN

mnistCUDNN: mnistCUDNN.cpp
\t$(CXX) -o $@ mnistCUDNN.cpp -lcudnn

clean:
\trm -f mnistCUDNN
"""
LIBDIR = "/usr/lib/x86_64-linux-gnu"


def build_libcudnn(tmpdir):
    """Compiles the stand-in libcudnn.so.9 with the host's C compiler; returns its bytes."""
    d = tempfile.mkdtemp(prefix="cudnn-", dir=tmpdir)
    for name, text in (("cudnn.h", CUDNN_H), ("cudnn_version.h", CUDNN_VERSION_H), ("cudnn.c", CUDNN_C)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    out = os.path.join(d, "libcudnn.so.9")
    subprocess.run(["cc", "-shared", "-fPIC", "-nostdlib", "-O2", "-Wl,-soname,libcudnn.so.9", "-o", out,
                    os.path.join(d, "cudnn.c")], check=True, capture_output=True, timeout=TIMEOUT_S)
    with open(out, "rb") as f:
        data = f.read()
    shutil.rmtree(d)
    return data


def cudnn_packages(libcudnn):
    v = CUDNN_DEB
    return [
        archive.Package("libcudnn9-cuda-12", v, arch="amd64", section="libs",
                        description=STANDIN + "cuDNN runtime libraries for CUDA 12",
                        files={LIBDIR + "/libcudnn.so.9": libcudnn},
                        scripts={"postinst": "ldconfig\n", "postrm": "ldconfig\n"}),
        archive.Package("libcudnn9-dev-cuda-12", v, arch="amd64", section="libdevel",
                        description=STANDIN + "cuDNN development headers for CUDA 12",
                        depends=[f"libcudnn9-cuda-12 (= {v})"],
                        files={"/usr/include/cudnn.h": CUDNN_H, "/usr/include/cudnn_version.h": CUDNN_VERSION_H},
                        scripts={"postinst": f"ln -sf libcudnn.so.9 {LIBDIR}/libcudnn.so\n",
                                 "postrm": f"rm -f {LIBDIR}/libcudnn.so\n"}),
        archive.Package("cudnn9-cuda-12", v, arch="amd64", section="libs",
                        description=STANDIN + "cuDNN 9 for CUDA 12 meta-package",
                        depends=[f"libcudnn9-cuda-12 (= {v})", f"libcudnn9-dev-cuda-12 (= {v})"]),
        archive.Package("libcudnn9-samples", v, arch="all", section="doc",
                        description=STANDIN + "cuDNN samples (mnistCUDNN)",
                        files={"/usr/src/cudnn_samples_v9/mnistCUDNN/Makefile": MNIST_MAKEFILE,
                               "/usr/src/cudnn_samples_v9/mnistCUDNN/mnistCUDNN.cpp": MNIST_CPP}),
    ]


def build_cuda_repo(directory, key, libcudnn, nvcc_release="12.4"):
    """NVIDIA's network repository, flat and signed with key: CUDA and cuDNN stand-ins, and the
    repository key beside them as 3bf863cc.pub (armoured), where NVIDIA publishes theirs."""
    repo = archive.FlatArchive(directory, key)
    for p in cuda_packages(nvcc_release) + cudnn_packages(libcudnn):
        repo.add(p)
    repo.build()
    shutil.copyfile(key.public_asc, os.path.join(directory, "3bf863cc.pub"))
    return repo


# --- the local installers (offline) -------------------------------------------------------------------

def key_id(key):
    """The keyring's name part in NVIDIA's local repositories: the key id's last 8 hex digits."""
    return key.fingerprint[-8:].upper()


def _local_installer(out_dir, key, name, version, repo_dir, list_name, keyring, packages, description):
    """A .deb holding a signed flat repository in repo_dir, its keyring, and the sources .list
    naming it (signed-by the keyring in /usr/share/keyrings, where the user is told to copy it)."""
    os.makedirs(out_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix="localrepo-", dir=out_dir)
    try:
        flat = archive.FlatArchive(staging, key)
        for p in packages:
            flat.add(p)
        flat.build()
        files = archive.local_repo_files(staging, key, repo_dir, keyring, f"/etc/apt/sources.list.d/{list_name}")
        # The message of tests/fixtures/real/dpkg-i-cudnn-local-repo-ubuntu2204-9.3.0.txt.
        postinst = (f'if [ ! -e /usr/share/keyrings/{keyring} ]; then\n'
                    f'    echo ""\n'
                    f'    echo "The public {name} GPG key does not appear to be installed."\n'
                    f'    echo "To install the key, run this command:"\n'
                    f'    echo "sudo cp {repo_dir}/{keyring} /usr/share/keyrings/"\n'
                    f'fi\n')
        package = archive.Package(name, version, arch="amd64", section="devel", description=STANDIN + description,
                                  files=files, scripts={"postinst": postinst})
        return package.build(out_dir)
    finally:
        shutil.rmtree(staging)


def build_cuda_local_installer(out_dir, key, release="22.04"):
    """cuda-repo-<distro>-12-4-local_<version>_amd64.deb, the shape of NVIDIA's (see
    tests/fixtures/real/cuda-ubuntu2204-12-2-local.list): /var/cuda-repo-<distro>-12-4-local/ with the
    CUDA packages and cuda-<KEYID>-keyring.gpg."""
    distro = CUDA_DISTROS[release]
    name = f"cuda-repo-{distro}-12-4-local"
    return _local_installer(out_dir, key, name, CUDA_LOCAL_VERSION, f"/var/{name}",
                            f"cuda-{distro}-12-4-local.list", f"cuda-{key_id(key)}-keyring.gpg",
                            cuda_packages(), "CUDA 12.4 local repository (offline installer)")


def build_cudnn_local_installer(out_dir, key, libcudnn, release="22.04"):
    """cudnn-local-repo-<distro>-9.3.0_1.0-1_amd64.deb, the shape of NVIDIA's (see
    tests/fixtures/real/dpkg-i-cudnn-local-repo-ubuntu2204-9.3.0.txt): /var/cudnn-local-repo-<distro>-9.3.0/
    with the cuDNN packages and cudnn-local-<KEYID>-keyring.gpg."""
    distro = CUDA_DISTROS[release]
    name = f"cudnn-local-repo-{distro}-9.3.0"
    return _local_installer(out_dir, key, name, "1.0-1", f"/var/{name}", f"cudnn-local-{distro}-9.3.0.list",
                            f"cudnn-local-{key_id(key)}-keyring.gpg", cudnn_packages(libcudnn),
                            "cuDNN 9.3.0 local repository (offline installer)")


# --- Anaconda -----------------------------------------------------------------------------------------

CONDA = r"""#!/bin/sh
# aiprov end-to-end stand-in for conda: --version; create/install -n NAME SPECS... -y; env list;
# run -n ENV PROGRAM ARGS... An environment is PREFIX/envs/NAME with bin/python (which prints the
# version asked for) and a conda-meta/<name>-<version>-<build>.json record per package.
set -eu
PREFIX=$(cd "$(dirname "$0")/.." && pwd -P)
full_version() {
    case "$1" in
    3.8) echo 3.8.18;; 3.9) echo 3.9.18;; 3.10) echo 3.10.13;; 3.11) echo 3.11.5;; 3.12) echo 3.12.4;;
    *.*.*) echo "$1";; *) echo "$1.0";;
    esac
}
python_script() {
    printf '#!/bin/sh\n# stand-in python\nif [ "$*" = "--version" ] || [ "$*" = "-V" ]; then echo "Python %s"; exit 0; fi\necho "python (stand-in): only --version" >&2\nexit 2\n' "$1"
}
add_specs() {  # env dir, specs...
    env=$1; shift
    for spec in "$@"; do
        name=${spec##*::}; version=1.0
        case "$name" in *=*) version=${name#*=}; version=${version#=}; version=${version%%[=,*]*};; esac
        name=${name%%[=<>!~ []*}
        [ -n "$version" ] || version=1.0
        if [ "$name" = python ]; then
            version=$(full_version "$version")
            rm -f "$env"/conda-meta/python-[0-9]*.json
            python_script "$version" > "$env/bin/python"
            chmod 0755 "$env/bin/python"
            echo '{}' > "$env/conda-meta/python-$version-h955ad1f_0.json"
        else
            echo '{}' > "$env/conda-meta/$name-$version-0.json"
        fi
        echo "  $name-$version"
    done
}
channels() {
    if [ -r "$PREFIX/.condarc" ]; then
        sed -n 's/^ *- \(http[^ ]*\)$/  \1/p' "$PREFIX/.condarc"
    fi
}
cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
--version|-V) echo "conda 23.7.2";;
create|install)
    name=; specs=
    while [ $# -gt 0 ]; do
        case "$1" in
        -n|--name) name=$2; shift;;
        -y|--yes|-q|--quiet) ;;
        -*) echo "conda (stand-in): unsupported option $1" >&2; exit 2;;
        *) specs="$specs $1";;
        esac
        shift
    done
    [ -n "$name" ] || { echo "conda (stand-in): -n NAME is required" >&2; exit 2; }
    env="$PREFIX/envs/$name"
    if [ "$cmd" = install ] && [ ! -d "$env/conda-meta" ]; then
        echo "EnvironmentLocationNotFound: Not a conda environment: $env" >&2; exit 1
    fi
    echo "Collecting package metadata (repodata.json): done"
    echo "Solving environment: done"
    echo "Channels (from $PREFIX/.condarc):"; channels
    if [ "$cmd" = create ]; then rm -rf "$env"; fi
    mkdir -p "$env/bin" "$env/conda-meta"
    echo "## Package Plan ##"
    echo "  environment location: $env"
    # shellcheck disable=SC2086
    add_specs "$env" $specs
    echo "done";;
env)
    [ "${1:-}" = list ] || { echo "conda (stand-in): only env list" >&2; exit 2; }
    echo "# conda environments:"; echo "#"
    printf '%-22s*  %s\n' base "$PREFIX"
    for e in "$PREFIX"/envs/*/; do
        [ -d "$e" ] || continue
        e=${e%/}; printf '%-25s%s\n' "${e##*/}" "$e"
    done
    echo;;
run)
    [ "${1:-}" = -n ] && [ $# -ge 3 ] || { echo "conda (stand-in): run -n ENV PROGRAM ARGS..." >&2; exit 2; }
    env="$PREFIX/envs/$2"; shift 2
    [ -d "$env" ] || { echo "EnvironmentLocationNotFound: Not a conda environment: $env" >&2; exit 1; }
    prog=$1; shift
    exec "$env/bin/$prog" "$@";;
*) echo "conda (stand-in): unsupported command '$cmd'" >&2; exit 2;;
esac
"""

# pip's `config list` prints each setting of its configuration files as section.key='value'.
PIP = r"""#!/bin/sh
# aiprov end-to-end stand-in for pip: `pip config list` prints the settings of pip's global
# configuration files (/etc/xdg/pip/pip.conf, /etc/pip.conf, then $PIP_CONFIG_FILE) as pip does:
# section.key='value'.
if [ "$*" != "config list" ]; then echo "pip (stand-in): only 'config list'" >&2; exit 2; fi
for f in /etc/xdg/pip/pip.conf /etc/pip.conf ${PIP_CONFIG_FILE:-}; do
    [ -r "$f" ] || continue
    awk '
        /^[ \t]*[#;]/ { next }
        /^[ \t]*\[[^]]*\][ \t]*$/ { s = $0; gsub(/^[ \t]*\[|\][ \t]*$/, "", s); next }
        /=/ { k = $0; sub(/[ \t]*=.*/, "", k); sub(/^[ \t]+/, "", k)
              v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
              if (s != "" && k != "") print s "." k "=\047" v "\047" }' "$f"
done
"""

PROFILE = r"""# aiprov end-to-end stand-in for conda's profile script.
export CONDA_EXE="@PREFIX@/bin/conda"
conda() { "$CONDA_EXE" "$@"; }
"""


def anaconda_help_text():
    """The -h text of tests/fixtures/real/anaconda3-2023.07-1-installer-help.txt with its two
    run-time parts as the installer computes them: the usage line names $0, the default prefix is
    $HOME/anaconda3 (the capture was made as /home/anaconda)."""
    text = real("anaconda3-2023.07-1-installer-help.txt")
    first, rest = text.split("\n", 1)
    assert first == "usage: ./Anaconda3-2023.07-1-Linux-aarch64.sh [options]"
    rest = rest.replace("defaults to /home/anaconda/anaconda3,", "defaults to $HOME/anaconda3,")
    return "usage: $0 [options]\n" + rest


def anaconda_installer():
    """The bytes of a batch-mode installer script in the manner of Anaconda's (constructor's): -h,
    -b, -p PREFIX, -f; it refuses an existing prefix without -f or -u, as the real one does."""
    help_text = anaconda_help_text()
    assert "AIPROV_HELP" not in help_text
    return f"""#!/bin/sh
# aiprov end-to-end stand-in for the Anaconda3 2023.07-1 installer (batch mode only): lays out
# PREFIX/bin/conda, python, pip (stand-ins), etc/profile.d/conda.sh and conda-meta like an install.
set -eu
usage() {{
cat <<AIPROV_HELP
{help_text}AIPROV_HELP
}}
BATCH=0; FORCE=0; PREFIX="$HOME/anaconda3"
while getopts "bfhp:sut" opt; do
    case "$opt" in
    b) BATCH=1;; f) FORCE=1;; u) FORCE=1;; p) PREFIX="$OPTARG";; s|t) ;;
    h) usage; exit 2;;
    *) usage; exit 2;;
    esac
done
if [ "$BATCH" != 1 ]; then echo "installer (stand-in): batch mode (-b) only" >&2; exit 2; fi
case "$PREFIX" in *" "*) echo "ERROR: Cannot install into directories with spaces" >&2; exit 1;; esac
if [ -e "$PREFIX" ] && [ "$FORCE" != 1 ]; then
    echo "ERROR: File or directory already exists: '$PREFIX'" >&2
    echo "If you want to update an existing installation, use the -u option." >&2
    exit 1
fi
echo "PREFIX=$PREFIX"
echo "Unpacking payload ..."
umask 022
mkdir -p "$PREFIX/bin" "$PREFIX/condabin" "$PREFIX/etc/profile.d" "$PREFIX/conda-meta" "$PREFIX/envs" \\
         "$PREFIX/pkgs" "$PREFIX/lib/python3.11/site-packages"
cat > "$PREFIX/bin/conda" <<'AIPROV_CONDA'
{CONDA}AIPROV_CONDA
cat > "$PREFIX/bin/pip" <<'AIPROV_PIP'
{PIP}AIPROV_PIP
printf '#!/bin/sh\\nif [ "$*" = "--version" ] || [ "$*" = "-V" ]; then echo "Python 3.11.4"; exit 0; fi\\nexit 2\\n' \\
    > "$PREFIX/bin/python"
chmod 0755 "$PREFIX/bin/conda" "$PREFIX/bin/pip" "$PREFIX/bin/python"
ln -s python "$PREFIX/bin/python3"
ln -s ../bin/conda "$PREFIX/condabin/conda"
sed "s|@PREFIX@|$PREFIX|" > "$PREFIX/etc/profile.d/conda.sh" <<'AIPROV_PROFILE'
{PROFILE}AIPROV_PROFILE
echo '{{}}' > "$PREFIX/conda-meta/python-3.11.4-h955ad1f_0.json"
echo '{{}}' > "$PREFIX/conda-meta/conda-23.7.2-py311h06a4308_0.json"
echo "==> $(date) <==" > "$PREFIX/conda-meta/history"
echo "stand-in site-packages" > "$PREFIX/lib/python3.11/site-packages/README.txt"
chmod 0600 "$PREFIX/conda-meta/history"
echo "installation finished."
""".encode()
