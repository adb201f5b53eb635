"""The README's "run locally" step: JupyterLab is installed, and `make lab` starts it on notebooks/."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).parent / "jupyter"


def test_jupyterlab_is_installed_in_the_venv():
    version = subprocess.run([str(JUPYTER), "lab", "--version"], capture_output=True, text=True,
                             timeout=60)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip().startswith("4."), version.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_starts_jupyterlab_on_the_notebooks(tmp_path):
    port = _free_port()
    flags = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token=test "
             f"--ServerApp.port_retries=0 --ServerApp.runtime_dir={tmp_path}")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    log = (tmp_path / "lab.log").open("w")
    lab = subprocess.Popen(["make", "-s", "lab", f"LAB_FLAGS={flags}"], cwd=ROOT, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                url = f"http://127.0.0.1:{port}/api/contents?token=test"
                with urllib.request.urlopen(url, timeout=5) as response:
                    listing = response.read().decode()
                break
            except OSError:
                assert lab.poll() is None, (tmp_path / "lab.log").read_text()[-3000:]
                assert time.monotonic() < deadline, (tmp_path / "lab.log").read_text()[-3000:]
                time.sleep(1)
        # The server's root is notebooks/: the chapters are at the top of its file browser.
        assert "00_quick_tour.ipynb" in listing, listing[:500]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=test", timeout=10) as page:
            assert page.status == 200 and "JupyterLab" in page.read().decode()
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
        log.close()


def test_binder_has_what_it_needs_to_build_and_open_a_chapter():
    # repo2docker: the Python version, the pinned requirements, then postBuild installs cnnrnn.
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("jupyterlab==") for line in requirements)
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK) and "pip install --no-deps -e ." in post_build.read_text()
    # The Binder button opens the chapter in JupyterLab, which is what Binder serves.
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
