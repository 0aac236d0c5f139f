"""Settings, read once from the environment (prefix LSTM_CONVEYOR_) and overridable in tests."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSTM_CONVEYOR_")

    host: str = "127.0.0.1"
    port: int = 8000
    max_steps: int = 10_000
    max_hidden: int = 1024
    max_inputs: int = 1024
    # T·H bounds the size of one trace (17 quantities of T×H floats) a request may ask for.
    max_trace_cells: int = 1_000_000
    # Every weight, input and state value must lie in ±max_abs_value: it keeps all arithmetic
    # finite and rejects 1e308-style input with a clear message.
    max_abs_value: float = 1e3
    # A bigger WebSocket message from a client closes it with 1009; a reply the server would send
    # over it is refused with an error (reply_too_large) instead of being sent.
    max_message_bytes: int = 4 * 1024 * 1024
    max_sessions: int = 200  # concurrent WebSocket sessions; more are closed with 1013
    max_pending_messages: int = 256  # per connection; a flood beyond it is refused, not queued
    # A rerun after a change that would read more weights than this (rows × the weights of every
    # layer it runs; W_hh is most of them) is answered in parts: the rows it reaches within this
    # much reading first, then parts of CONTINUED_PARTS times as much, each as soon as it is
    # computed (docs/protocol.md, A rerun in parts). 2^25: 2 rows of a two-layer H = 1,024, D = 256
    # stack (~10 ms on a 2-core VM), the whole sequence for any preset.
    first_part_weights: int = 2**25
    idle_timeout_seconds: float = 1800.0  # a silent connection is closed (the page reconnects)
    # permessage-deflate on the socket: a frame is ~3× smaller but compressing it cost a quarter of
    # the server's time under load (py-spy, 100 sessions). Worth it only on a slow network.
    ws_compression: bool = False
    # Browser origins allowed to open the WebSocket besides the page's own (same host and port).
    allowed_origins: list[str] = []
    # Origins whose pages may show this one in a frame (a notebook's IFrame of /api/open's URL, e.g.
    # ["http://localhost:8888"]); none by default: no other site can frame the page (clickjacking).
    frame_ancestors: list[str] = []
    # Files (app/web/files.py). An upload's body over max_upload_bytes is refused as it streams in;
    # an .npz's entries may declare max_unpacked_bytes in all, and a big one may not inflate more
    # than max_compression_ratio times (zip bombs do, thousands of times); a weights file may hold
    # max_tensors tensors. H, D and T are bounded by max_hidden, max_inputs and max_steps above.
    # 64 MiB: a two-layer H = 1,024, D = 256 char model with its embedding and decoder is ~55 MB
    # as float32 (issue 20's full-size model), and the default limits must admit it.
    max_upload_bytes: int = 64 * 1024 * 1024
    # A JSON body (POST /api/trace, /api/export/*) over max_request_bytes is refused as it streams
    # in: FastAPI parses a body whole, into Python objects of 5-15 times its size, before a route runs.
    max_request_bytes: int = 32 * 1024 * 1024
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_tensors: int = 1024
    max_vocab: int = 100_000  # tokens of an imported vocabulary (app/text_import.py)
    max_text_chars: int = 10_000  # characters of one set_text or /api/trace text
    max_csv_cells: int = 20_000_000  # numbers in one exported trace CSV (T·H rows × columns)
    # Models opened by POST /api/open (app/opened.py): one file each under open_dir (default: a
    # folder in the system's temp dir), shared by every worker process; a file older than
    # open_max_age_seconds is gone, and the oldest go first when all of them would pass open_max_bytes.
    open_dir: str = ""
    open_max_age_seconds: float = 24 * 3600.0
    open_max_bytes: int = 512 * 1024 * 1024
    # Training (app/training.py). Each training may run this many updates and this many seconds of
    # running time; at most max_trainings run at once in one server process (each takes most of a
    # core; with --workers N, each worker has its own). One more is refused: code training_busy.
    training_max_updates: int = 2000
    training_max_seconds: float = 120.0
    max_trainings: int = 2
    # Progress is sent at least this often while a training runs (the issue asks for ≤ 100 ms).
    training_progress_seconds: float = 0.08


@lru_cache
def get_settings() -> Settings:
    return Settings()
