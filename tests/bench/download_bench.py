#!/usr/bin/env python3
"""Benchmark: `aiprov apply` of one `download` step against `curl -o`, 1 GiB over loopback.

Creates a 1 GiB file of random bytes in a temporary directory, serves it on 127.0.0.1 with a small
zero-copy server (os.sendfile, Range support; Python's http.server copies through user space and would
be the bottleneck), then times N runs each of
  (a) curl -sS -o FILE URL
  (b) aiprov apply of a one-step download recipe into a temporary --root (cache emptied between runs)
  (c) for reference, what (b) does by hand: curl, sha256sum, cp into place (no sync: aiprov does not
      wait for the disk either)
and prints medians, throughput in MiB/s, CPU seconds (user + system, the command and its children)
and the ratio aiprov/curl (target: at least 0.95x curl's throughput), of the medians and of the best
runs. The three commands take turns (the order turns each run, so that none always follows the same
one), and the page cache's dirty pages are written back (sync) before each one is timed, so that none
pays for the writeback of the one before. Root is not needed; the temporary directory and the 1 GiB
file are deleted afterwards.

    python3 tests/bench/download_bench.py [--aiprov PATH | --build-dir DIR] [--runs 6] [--size-mib 1024]
"""
import argparse
import hashlib
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))


def serve(path, listener):
    """Serves `path` for any GET, one thread per connection, honouring `Range: bytes=N-`."""
    size = os.path.getsize(path)

    def handle(conn):
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            start = 0
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"range: bytes="):
                    start = int(line.split(b"=", 1)[1].split(b"-", 1)[0])
            if start:
                head = (f"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{size - 1}/{size}\r\n")
            else:
                head = "HTTP/1.1 200 OK\r\n"
            head += f"Content-Length: {size - start}\r\nConnection: close\r\n\r\n"
            conn.sendall(head.encode())
            with open(path, "rb") as f:
                offset = start
                while offset < size:
                    sent = os.sendfile(conn.fileno(), f.fileno(), offset, size - offset)
                    if sent == 0:
                        break
                    offset += sent

    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def make_random_file(path, size):
    sha = hashlib.sha256()
    block = 16 << 20
    with open(path, "wb") as f:
        left = size
        while left:
            data = os.urandom(min(block, left))
            sha.update(data)
            f.write(data)
            left -= len(data)
    return sha.hexdigest()


def sha256_file(path):
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def cpu_of_children():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(argv, cpu=None, **kw):
    """Runs argv and returns its wall time; adds its CPU seconds to cpu[0] when given."""
    c0 = cpu_of_children()
    t0 = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    if cpu is not None:
        cpu[0] += cpu_of_children() - c0
    return wall


def find_aiprov(args):
    if args.aiprov:
        return os.path.abspath(args.aiprov)
    build = args.build_dir
    if not build:
        build = os.path.join(SOURCE, "build-lead")
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", SOURCE, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"], check=True)
    subprocess.run(["cmake", "--build", build, "--target", "aiprov", "-j2"], check=True)
    return os.path.join(build, "agent", "aiprov")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--aiprov", help="the aiprov binary (default: build --build-dir first)")
    ap.add_argument("--build-dir", help="CMake build directory (default: build-lead in the source tree)")
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--tmp", default=None, help="where the temporary directory goes (default: $TMPDIR)")
    args = ap.parse_args()
    binary = find_aiprov(args)
    size = args.size_mib << 20

    work = tempfile.mkdtemp(prefix="aiprov-dlbench-", dir=args.tmp)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        src = os.path.join(work, "blob.bin")
        digest = make_random_file(src, size)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        threading.Thread(target=serve, args=(src, listener), daemon=True).start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/blob.bin"
        recipe = os.path.join(work, "download.yaml")
        with open(recipe, "w") as f:
            f.write(f"aiprov: 1\nname: download-bench\nsteps:\n  - id: blob\n    type: download\n"
                    f"    url: {url}\n    dest: /opt/blob.bin\n    sha256: {digest}\n")
        out = os.path.join(work, "curl.out")
        root = os.path.join(work, "root")

        curl, aiprov, manual = [], [], []
        cpu = {"curl": [0.0], "aiprov": [0.0], "manual": [0.0]}

        def run_curl():
            os.sync()
            curl.append(timed(["curl", "-sS", "-o", out, url], cpu["curl"]))
            os.remove(out)

        def run_aiprov():
            shutil.rmtree(root, ignore_errors=True)  # empties the download cache too
            os.makedirs(root)
            os.sync()
            aiprov.append(timed([binary, "apply", recipe, "--root", root, "--yes", "-q"], cpu["aiprov"]))
            if sha256_file(os.path.join(root, "opt", "blob.bin")) != digest:
                sys.exit("aiprov installed a file with the wrong digest")
            shutil.rmtree(root)

        def run_manual():
            os.sync()
            t0 = time.perf_counter()
            timed(["curl", "-sS", "-o", out + ".part", url], cpu["manual"])
            c0 = cpu_of_children()
            got = subprocess.run(["sha256sum", out + ".part"], capture_output=True, text=True).stdout.split()[0]
            cpu["manual"][0] += cpu_of_children() - c0
            if got != digest:
                sys.exit("the served file changed")
            timed(["cp", out + ".part", out], cpu["manual"])
            manual.append(time.perf_counter() - t0)
            os.remove(out)
            os.remove(out + ".part")

        # The order turns each run, so that no command always follows the same one.
        order = [run_curl, run_aiprov, run_manual]
        for i in range(args.runs):
            for fn in order[i % 3:] + order[:i % 3]:
                fn()

        def line(name, walls, cpu_total):
            med = statistics.median(walls)
            return med, f"  {name:<34} median {med:6.2f} s  {args.size_mib / med:8.1f} MiB/s  " \
                f"CPU {cpu_total[0] / len(walls):5.2f} s   runs: " + " ".join(f"{w:.2f}" for w in walls)

        c_med, c_line = line("curl -sS -o FILE", curl, cpu["curl"])
        a_med, a_line = line("aiprov apply (download step)", aiprov, cpu["aiprov"])
        m_med, m_line = line("curl + sha256sum + cp", manual, cpu["manual"])
        print(f"download of {args.size_mib} MiB over loopback, {args.runs} runs each, work dir {work}")
        print(c_line)
        print(a_line)
        print(m_line)
        ratio = c_med / a_med
        print(f"  ratio aiprov/curl throughput: {ratio:.2f}x of the medians (target >= 0.95x), "
              f"{min(curl) / min(aiprov):.2f}x of the best runs; "
              f"aiprov/(curl+sha256sum+cp): {m_med / a_med:.2f}x")
    finally:
        listener.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
