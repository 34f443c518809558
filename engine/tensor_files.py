"""Named tensors in .safetensors (through safetensors' numpy API) and .npz files (numpy, no
pickle). Never torch, never pickle.

Reading looks at the headers first — names, shapes and dtypes — so that a wrong file is refused
before any large array is read; values are loaded one tensor at a time when asked.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .errors import escape
from .files import FileProblem, regular_file, write_atomic

# safetensors and zipfile are imported where a file is read or written, not with this module:
# every start imports it (scenarios, saved weights), most starts read no weights file

FORMATS = (".safetensors", ".npz")
_SAFETENSORS_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64", "BF16": "bfloat16",
                       "BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16",
                       "U16": "uint16", "I32": "int32", "U32": "uint32", "I64": "int64",
                       "U64": "uint64"}
FLOATS = ("float16", "float32", "float64")  # widen to float64 exactly
INTEGERS = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")


def suffix_of(path: str | Path, what: str) -> str:
    """".safetensors" or ".npz"; FileProblem for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FileProblem(f"{what} '{escape(str(path))}': expected a .safetensors or .npz file "
                          f"name, got '{escape(Path(path).suffix) or 'no suffix'}'")
    return suffix


class TensorFile:
    """The tensors of one file: ``shapes`` and ``dtypes`` by name (from the headers), and
    ``load(name)`` for the values."""

    def __init__(self, path: str | Path, what: str = "weights file") -> None:
        self.what = what
        self.path = regular_file(path, what)
        self.format = suffix_of(self.path, what)
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.dtypes: dict[str, str] = {}
        try:
            if self.format == ".safetensors":
                self._read_safetensors_header()
            else:
                self._read_npz_headers()
        except _damaged() as err:
            raise self.problem(f"cannot read it as {self.format}: {_one_line(err)}") from None

    def problem(self, message: str) -> FileProblem:
        return FileProblem(f"{self.what} '{escape(str(self.path))}': {message}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.shapes)

    def load(self, name: str, allowed: tuple[str, ...] = FLOATS) -> np.ndarray:
        """The tensor ``name`` as float64 (floats of other widths are widened exactly); its
        dtype must be one of ``allowed``."""
        if self.dtypes[name] not in allowed:
            kinds = "floating-point" if allowed == FLOATS else "numbers"
            raise self.problem(f"key {name!r} holds {self.dtypes[name]} values (expected "
                               f"{kinds}: {', '.join(allowed)})")
        try:
            if self.format == ".safetensors":
                from safetensors import safe_open

                with safe_open(str(self.path), framework="np") as f:
                    arr = f.get_tensor(name)
            else:
                import zipfile

                with zipfile.ZipFile(self.path) as z, z.open(name + ".npy") as member:
                    arr = np.lib.format.read_array(member, allow_pickle=False)
        except _damaged() as err:
            raise self.problem(f"key {name!r} cannot be read: {_one_line(err)}") from None
        if arr.shape != self.shapes[name]:  # pragma: no cover - the headers said otherwise
            raise self.problem(f"key {name!r} is damaged (its data does not fit its header)")
        if arr.dtype.kind in "iu" and arr.size and max(int(arr.max()), -int(arr.min())) > 2**53:
            raise self.problem(f"key {name!r} holds integers beyond 2^53, which float64 "
                               "cannot hold exactly")
        return np.array(arr, dtype=np.float64)

    def _read_safetensors_header(self) -> None:
        from safetensors import safe_open

        with safe_open(str(self.path), framework="np") as f:
            for name in f.keys():
                piece = f.get_slice(name)
                self.shapes[name] = tuple(piece.get_shape())
                raw = piece.get_dtype()
                self.dtypes[name] = _SAFETENSORS_DTYPES.get(raw, raw.lower())

    def _read_npz_headers(self) -> None:
        import zipfile

        with zipfile.ZipFile(self.path) as z:
            for info in z.infolist():
                if not info.filename.endswith(".npy"):
                    raise ValueError(f"member {info.filename!r} is not a .npy array")
                with z.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                            else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read(member)
                name = info.filename[:-len(".npy")]
                self.shapes[name] = tuple(shape)
                self.dtypes[name] = ("object (pickled)" if dtype.hasobject
                                     else dtype.name if dtype.kind in "biufc"  # either byte order
                                     else str(dtype))


def write_tensors(path: str | Path, tensors: dict[str, np.ndarray]) -> None:
    """Write ``tensors`` (float64) to ``path``, .safetensors or .npz by its suffix, atomically."""
    suffix = suffix_of(path, "weights file")
    arrays = {name: np.ascontiguousarray(a, dtype=np.float64) for name, a in tensors.items()}
    if suffix == ".safetensors":
        from safetensors.numpy import save as safetensors_bytes

        data = safetensors_bytes(arrays)
    else:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        data = buffer.getvalue()
    try:
        write_atomic(path, data)
    except OSError as err:
        raise FileProblem(f"cannot write weights file '{escape(str(path))}': "
                          f"{err.strerror or err}") from None


def _damaged() -> tuple[type[BaseException], ...]:
    """What reading a damaged or foreign file raises (evaluated only when something was
    raised, by then safetensors or zipfile is imported)."""
    import zipfile

    from safetensors import SafetensorError

    return (OSError, ValueError, EOFError, zipfile.BadZipFile, SafetensorError)


def _one_line(err: BaseException) -> str:
    """The library's message on one line, control characters escaped, at most 200 characters."""
    text = " ".join(str(err).split()) or type(err).__name__
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)[:200]
