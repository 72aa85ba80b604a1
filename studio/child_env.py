"""The environment a training child starts with: an allow-list, not a deny-list.

A server's environment holds things a training run never needs and must never see: database
URLs with passwords (`DATABASE_URL=postgres://u:pw@h/db`), API keys under any name
(`OPENAI_KEY`), the studio's logins. A deny-list of secret-looking names misses some of them
whatever its pattern, so a child gets only the variables named here, each one something the
training code, torch, the tokenizers or the Hub client reads.

The Hub token is the server's: in local mode it is the user's own and goes to the child when
its model comes from the Hub; in hosted mode it never acts for a visitor (it could pull a
private or gated repo the operator can read, whose weights the visitor could then export),
so a visitor's Hub-id model downloads anonymously unless the visitor brings their own token.

Every backend that starts a child (the local queue, torchrun, a cluster backend) builds its
environment with `child_environment`.
"""
from __future__ import annotations

import os
import re

# Exact names a child may inherit.
ALLOWED = frozenset({
    # the process itself
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TZ", "LANG", "LANGUAGE",
    "TMPDIR", "TEMP", "TMP", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONIOENCODING",
    "PYTHONUTF8", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "XDG_CACHE_HOME",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    # downloads go through the operator's proxy, if any
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
    "http_proxy", "https_proxy", "no_proxy", "all_proxy",
    # Hugging Face caches and switches (no token: see child_environment)
    "HF_HOME", "HF_HUB_CACHE", "HF_ASSETS_CACHE", "HF_DATASETS_CACHE", "HF_MODULES_CACHE",
    "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE",
    "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_ETAG_TIMEOUT",
    "HF_HUB_DOWNLOAD_TIMEOUT", "HF_HUB_ENABLE_HF_TRANSFER", "HF_HUB_DISABLE_TELEMETRY",
    "HF_HUB_DISABLE_PROGRESS_BARS", "HF_HUB_DISABLE_SYMLINKS_WARNING",
    "TRANSFORMERS_VERBOSITY", "TRANSFORMERS_NO_ADVISORY_WARNINGS", "TOKENIZERS_PARALLELISM",
    "TORCH_HOME", "TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR",
    # threads and devices
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "CUDA_VISIBLE_DEVICES", "CUDA_HOME", "CUDA_DEVICE_ORDER",
    "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "PYTORCH_CUDA_ALLOC_CONF",
    "PYTORCH_ENABLE_MPS_FALLBACK", "PYTORCH_MPS_HIGH_WATERMARK_RATIO",
    "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
    # coverage of children under the test suite
    "COVERAGE_PROCESS_START",
})
# Families: locale (LC_ALL, LC_CTYPE, ...), collective communication for torchrun, and the
# studio's own settings (its limits, workspace, registry, memory budget, faults in tests).
ALLOWED_PREFIXES = ("LC_", "NCCL_", "STUDIO_")
# Within an allowed family, a name that reads like a secret still stays behind
# (STUDIO_AUTH: the logins, STUDIO_API_KEY: serve's key).
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSW|AUTH|KEY|CREDENTIAL|PRIVATE|COOKIE)", re.I)
HUB_TOKENS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")


def allowed(name: str) -> bool:
    if name in ALLOWED:
        return True
    return name.startswith(ALLOWED_PREFIXES) and not SECRET_NAME.search(name)


def child_environment(hosted: bool, token: str | None = None, *, needs_hub: bool = True,
                      environ: dict | None = None) -> dict:
    """The environment for a training child of this server.

    `hosted`: the job is a visitor's, so the server's Hub token never goes along; `token` is
    a token the visitor brought for this job (used in either mode, in place of the server's).
    `needs_hub`: the job's model comes from the Hub (local mode passes the user's own token
    only then). `environ`: the server's environment (default os.environ)."""
    source = os.environ if environ is None else environ
    env = {k: v for k, v in source.items() if allowed(k)}
    if token:
        env["HF_TOKEN"] = token
    elif not hosted and needs_hub:
        for key in HUB_TOKENS:
            if source.get(key):
                env[key] = source[key]
    if hosted and not token:
        # A visitor's download must not fall back on a token file the server's account left
        # in the Hub cache folder (~/.cache/huggingface/token).
        env["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
    return env
